#!/usr/bin/env bash
# Helm, built from the Go module proxy into $TOOLS/bin/helm (the chart's lint, template, install
# and test steps call exactly that path; TOOLS is printed by stack/provision.sh).
# v3 rather than v4: Helm 3 is what platform teams and CI actions run today, helm-unittest targets
# its plugin model, and the chart (apiVersion v2) works on both. Helm 3 assumes Kubernetes 1.20
# unless told otherwise, so the build pins the Kubernetes version it templates for
# (.Capabilities.KubeVersion) to the API server the tests run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HELM_VERSION=v3.22.0
KUBE_MINOR=36
BIN="$TOOLS/bin/helm"
STAMP="$TOOLS/bin/.helm-$HELM_VERSION-k8s1.$KUBE_MINOR"
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0
# Two checkouts provisioning at once build once: the second waits, then finds the stamp.
exec 9>"$TOOLS/bin/.helm.lock"
flock 9
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0

build() {
  local out="$TOOLS/src/helm-$HELM_VERSION"
  rm -rf "$out" && mkdir -p "$out" || return 1
  GOBIN="$out" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$KUBE_MINOR" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" || return 1
  # Moved into place: a helm already running keeps its file.
  mv -f "$out/helm" "$BIN" && rm -rf "$out" || return 1
  "$BIN" version --short
}
run_step helm "build helm $HELM_VERSION from the Go module proxy (first build: 1 to 8 minutes)" \
  "check that the Go module proxy is reachable (go env GOPROXY) and read $LOGS/helm.log" -- build
rm -f "$TOOLS"/bin/.helm-*
touch "$STAMP"
