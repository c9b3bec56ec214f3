#!/usr/bin/env bash
# actionlint (GitHub Actions workflow linter) from the Go module proxy, and shellcheck, which
# actionlint runs over every `run:` step. The workflow test (test/ci/workflows.test.ts) needs both.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ACTIONLINT_VERSION=v1.7.12
# Debian bookworm's shellcheck; the version is what apt installs, checked below so that a
# different shellcheck on PATH is noticed rather than silently linting with other rules.
SHELLCHECK_VERSION=0.9.0

BIN="$TOOLS/bin/actionlint"
STAMP="$TOOLS/bin/.actionlint-$ACTIONLINT_VERSION"
if ! { [ -x "$BIN" ] && [ -f "$STAMP" ]; }; then
  exec 9>"$TOOLS/bin/.actionlint.lock"
  flock 9
  if ! { [ -x "$BIN" ] && [ -f "$STAMP" ]; }; then
    build() {
      GOBIN="$TOOLS/bin" go install -trimpath -ldflags "-s -w" \
        "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" || return 1
    }
    run_step actionlint "go install github.com/rhysd/actionlint@$ACTIONLINT_VERSION" \
      "check that the Go module proxy is reachable (go env GOPROXY) and retry" -- build
    rm -f "$TOOLS"/bin/.actionlint-*
    touch "$STAMP"
  fi
  exec 9>&-
fi

# The shellcheck binary is a Debian package (Haskell; nothing on the reachable registries builds it
# quickly). Installing it needs root: as root (CI's container, these machines) provisioning
# installs it; anyone else is told the one command to run, and provisioning fails rather than
# letting the workflow test lint without it.
if ! command -v shellcheck >/dev/null; then
  install_shellcheck() {
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "shellcheck=$SHELLCHECK_VERSION*"
  }
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    run_step shellcheck "apt-get install shellcheck $SHELLCHECK_VERSION" \
      "check that Debian's mirror is reachable (apt-get update) and retry" -- install_shellcheck
  else
    echo "provisioning failed: shellcheck is missing; install it as root: apt-get install shellcheck" >&2
    exit 1
  fi
fi
have_version=$(shellcheck --version | sed -n 's/^version: //p')
if [ "$have_version" != "$SHELLCHECK_VERSION" ]; then
  echo "provisioning failed: shellcheck $have_version on PATH, $SHELLCHECK_VERSION expected" >&2
  exit 1
fi
