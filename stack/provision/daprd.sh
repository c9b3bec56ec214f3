#!/usr/bin/env bash
# Builds daprd from the official Dapr Go module, keeping only the components Tickler uses.
# The module cannot be `go install`ed (replace directives in its go.mod), and a build without
# a components tag panics at start-up, so we build from a writable copy with -tags stablecomponents.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# v1.18.3 needs durabletask-go v0.12.4, which the module proxy refuses (403); v1.18.2 resolves fully.
DAPR_VERSION=v1.18.2
BIN="$TOOLS/bin/daprd"
STAMP="$TOOLS/bin/.daprd-$DAPR_VERSION"
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0

# Components registered in our build: everything dapr/ and helm/ reference, plus in-memory
# fallbacks for experiments. Adding one here means adding its registration file.
KEEP=(
  pubsub_kafka.go pubsub_in-memory.go
  state_in-memory.go state_postgres.go
  secretstores_local_env.go secretstores_local_file.go secretstores_kubernetes.go
  nameresolution_mdns.go
  zz_notag.go
)

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
build() {
  cd "$SRC" && go build -tags stablecomponents -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v}" -o "$BIN" ./cmd/daprd
}

run_step daprd "download github.com/dapr/dapr@$DAPR_VERSION from the Go module proxy" \
  "check that the Go module proxy is reachable (go env GOPROXY) and retry" -- fetch
run_step daprd "compile daprd (first build downloads its dependencies; several minutes)" \
  "read $LOGS/daprd.log; a Go older than the module's go directive fails here (go version)" -- build
rm -rf "$SRC"
touch "$STAMP"
