#!/usr/bin/env bash
# Builds daprd from the official Dapr Go module, keeping only the components Tickler uses.
# The module cannot be `go install`ed (replace directives in its go.mod), and a build without
# a components tag panics at start-up, so we build from a writable copy with a components tag.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# v1.18.3 needs durabletask-go v0.12.4, which the module proxy refuses (403); v1.18.2 resolves fully.
DAPR_VERSION=v1.18.2

# Components registered in our build: everything dapr/ and the local stack reference, plus
# in-memory fallbacks for experiments. Adding one here means adding its registration file.
# nameresolution_sqlite.go: the local stack resolves app ids through a SQLite file of its own
# (stack/components.ts), so concurrent stacks on one machine never answer for each other.
KEEP=(
  pubsub_kafka.go pubsub_in-memory.go
  state_in-memory.go state_postgres.go
  secretstores_local_env.go secretstores_local_file.go secretstores_kubernetes.go
  nameresolution_mdns.go nameresolution_sqlite.go
  zz_notag.go
)
# The SQLite resolver is registered only under `allcomponents`; every other registration file is
# deleted before the build, so the tag adds nothing beyond KEEP.
TAGS=allcomponents

BIN="$TOOLS/bin/daprd"
# The stamp names what was built, so changing KEEP or TAGS rebuilds an existing binary.
BUILD_ID=$(printf '%s\n' "$DAPR_VERSION" "$TAGS" "${KEEP[@]}" | sha256sum | cut -c1-12)
STAMP="$TOOLS/bin/.daprd-$DAPR_VERSION-$BUILD_ID"
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0
# Two stacks provisioning at once build once: the second waits, then finds the stamp.
exec 9>"$TOOLS/bin/.daprd.lock"
flock 9
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0

SRC="$TOOLS/src/dapr-$DAPR_VERSION"
fetch() {
  local dir
  dir=$(go mod download -json "github.com/dapr/dapr@$DAPR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$dir" ] || { echo "no module folder in go mod download output"; return 1; }
  rm -rf "$SRC" && mkdir -p "$(dirname "$SRC")" && cp -r "$dir" "$SRC" && chmod -R u+w "$SRC" || return 1
  local f keep
  for f in "$SRC"/cmd/daprd/components/*.go; do
    keep=no
    for k in "${KEEP[@]}"; do [ "$(basename "$f")" = "$k" ] && keep=yes; done
    [ $keep = yes ] || rm -f "$f"
  done
}
# Built beside the binary and moved into place: stacks already running keep the old one.
build() {
  cd "$SRC" && go build -tags "$TAGS" -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}" -o "$BIN.new" ./cmd/daprd || return 1
  mv -f "$BIN.new" "$BIN"
}

run_step daprd "download github.com/dapr/dapr@$DAPR_VERSION from the Go module proxy" \
  "check that the Go module proxy is reachable (go env GOPROXY) and retry" -- fetch
run_step daprd "compile daprd (first build downloads its dependencies; several minutes)" \
  "read $LOGS/daprd.log; a Go older than the module's go directive fails here (go version)" -- build
rm -rf "$SRC"
rm -f "$TOOLS"/bin/.daprd-*
touch "$STAMP"
