#!/usr/bin/env bash
# Builds Dapr's Sentry (its certificate authority) from the same Dapr module as daprd. The local
# stack runs one per stack so that the sidecars talk mTLS: only then does a sidecar know which
# app calls it, and only then is the access-control policy in dapr/config.yaml enforced.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DAPR_VERSION=v1.18.2   # the same as daprd (stack/provision/daprd.sh)
BIN="$TOOLS/bin/sentry"
STAMP="$TOOLS/bin/.sentry-$DAPR_VERSION"
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0
exec 9>"$TOOLS/bin/.sentry.lock"
flock 9
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0

SRC="$TOOLS/src/sentry-$DAPR_VERSION"
fetch() {
  local dir
  dir=$(go mod download -json "github.com/dapr/dapr@$DAPR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$dir" ] || { echo "no module folder in go mod download output"; return 1; }
  rm -rf "$SRC" && mkdir -p "$(dirname "$SRC")" && cp -r "$dir" "$SRC" && chmod -R u+w "$SRC" || return 1
}
build() {
  cd "$SRC" && go build -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}" -o "$BIN.new" ./cmd/sentry || return 1
  mv -f "$BIN.new" "$BIN"
}

run_step sentry "download github.com/dapr/dapr@$DAPR_VERSION from the Go module proxy" \
  "check that the Go module proxy is reachable (go env GOPROXY) and retry" -- fetch
run_step sentry "compile Dapr's sentry (shares daprd's build cache)" \
  "read $LOGS/sentry.log; a Go older than the module's go directive fails here (go version)" -- build
rm -rf "$SRC"
rm -f "$TOOLS"/bin/.sentry-*
touch "$STAMP"
