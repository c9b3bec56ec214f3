#!/usr/bin/env bash
# The Dapr CRDs (Component, Configuration, Resiliency, Subscription, ...) for the Kubernetes API
# server of the chart tests, copied to $TOOLS/dapr-crds/ from the same Dapr module daprd is built
# from (stack/provision/daprd.sh names the version), so the cluster knows the kinds the chart uses.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DAPR_VERSION=$(sed -n 's/^DAPR_VERSION=\(v[0-9.]*\)$/\1/p' "$ROOT/stack/provision/daprd.sh")
[ -n "$DAPR_VERSION" ] || { echo "no DAPR_VERSION=vX.Y.Z line in stack/provision/daprd.sh" >&2; exit 1; }
CRDS="$TOOLS/dapr-crds"
STAMP="$CRDS/.dapr-$DAPR_VERSION"
[ -f "$STAMP" ] && exit 0
exec 9>"$TOOLS/bin/.dapr-crds.lock"
flock 9
[ -f "$STAMP" ] && exit 0

copy() {
  local dir
  dir=$(go mod download -json "github.com/dapr/dapr@$DAPR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  ls "$dir"/charts/dapr/crds/*.yaml >/dev/null || { echo "no charts/dapr/crds in $dir"; return 1; }
  rm -rf "$CRDS.new" && mkdir -p "$CRDS.new" && cp "$dir"/charts/dapr/crds/*.yaml "$CRDS.new/" || return 1
  chmod -R u+w "$CRDS.new" && rm -rf "$CRDS" && mv "$CRDS.new" "$CRDS"
}
run_step dapr-crds "Dapr $DAPR_VERSION CRDs from its Go module" \
  "check that the Go module proxy is reachable (go env GOPROXY) and read $LOGS/dapr-crds.log" -- copy
touch "$STAMP"
