#!/usr/bin/env bash
# node_modules from the lockfile, exact versions; redone only when the lockfile changes.
# `npm install` rather than `npm ci`: the registry reachable here serves no macOS/Windows builds
# of optional native packages (@swc/core-darwin-*), so npm leaves them out of the lockfile and
# `npm ci` then refuses it as out of sync. With a lockfile present, `npm install` still installs
# exactly the locked versions.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STAMP="$ROOT/node_modules/.tickler-lock-$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
[ -f "$STAMP" ] && exit 0
install() {
  cd "$ROOT" || return 1
  npm install --no-audit --no-fund || return 1
  git diff --quiet -- package-lock.json 2>/dev/null || echo "warning: npm install changed package-lock.json"
}
run_step node "install npm packages from package-lock.json" \
  "check that the npm registry is reachable (npm config get registry) and retry" -- install
touch "$STAMP"
