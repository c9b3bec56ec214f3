#!/usr/bin/env bash
# kwok simulates nodes and pods for the Kubernetes API server of the chart tests (no kubelet runs
# here): $TOOLS/bin/kwok, and $TOOLS/kwok/stages-fast.yaml, kwok's own "fast" node and pod stages
# (a node turns Ready, a pod Running, a Job's pod Succeeded, at once), read from its module folder.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KWOK_VERSION=v0.8.0
BIN="$TOOLS/bin/kwok"
STAGES="$TOOLS/kwok/stages-fast.yaml"
STAMP="$TOOLS/bin/.kwok-$KWOK_VERSION"
[ -x "$BIN" ] && [ -f "$STAGES" ] && [ -f "$STAMP" ] && exit 0
exec 9>"$TOOLS/bin/.kwok.lock"
flock 9
[ -x "$BIN" ] && [ -f "$STAGES" ] && [ -f "$STAMP" ] && exit 0

build() {
  local out="$TOOLS/src/kwok-$KWOK_VERSION"
  rm -rf "$out" && mkdir -p "$out" || return 1
  GOBIN="$out" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" || return 1
  mv -f "$out/kwok" "$BIN" && rm -rf "$out"
}
stages() {
  local dir f
  dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  { [ -d "$dir/kustomize/stage/node/fast" ] && [ -d "$dir/kustomize/stage/pod/fast" ]; } || { echo "no fast stages in $dir"; return 1; }
  mkdir -p "$(dirname "$STAGES")" && : >"$STAGES.new" || return 1
  for f in "$dir"/kustomize/stage/node/fast/*.yaml "$dir"/kustomize/stage/pod/fast/*.yaml; do
    grep -q '^kind: Stage' "$f" || continue    # skips kustomization.yaml
    { echo '---'; cat "$f"; } >>"$STAGES.new" || return 1
  done
  grep -q 'kind: Stage' "$STAGES.new" && mv -f "$STAGES.new" "$STAGES"
}
run_step kwok "build kwok $KWOK_VERSION from the Go module proxy (first build: about a minute)" \
  "check that the Go module proxy is reachable (go env GOPROXY) and read $LOGS/kwok.log" -- build
run_step kwok "kwok's fast node and pod stages" "read $LOGS/kwok.log" -- stages
rm -f "$TOOLS"/bin/.kwok-*
touch "$STAMP"
