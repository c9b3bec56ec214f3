#!/usr/bin/env bash
# A real Kubernetes control plane for the chart tests, built from the Go module proxy (no release
# downloads reach these machines): $TOOLS/bin/kube-apiserver, kube-controller-manager,
# kube-scheduler and kubectl, all v1.36.3. test/support/kube-cluster.ts runs them.
# k8s.io/kubernetes replaces its staging modules (k8s.io/api, client-go, ...) with local folders,
# so `go install` refuses it. A throwaway wrapper module requires it and repeats each replace with
# the published staging module of the same release (the route of kubernetes issue 79384).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KUBE_VERSION=v1.36.3
STAGING_VERSION=v0.36.3               # the staging modules are published as v0.<minor>.<patch>
CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
STAMP="$TOOLS/bin/.kubernetes-$KUBE_VERSION-$(printf '%s\n' "${CMDS[@]}" | sha256sum | cut -c1-12)"
installed() { [ -f "$STAMP" ] && for c in "${CMDS[@]}"; do [ -x "$TOOLS/bin/$c" ] || return 1; done; }
installed && exit 0
exec 9>"$TOOLS/bin/.kubernetes.lock"
flock 9
installed && exit 0

WRAP="$TOOLS/src/kubernetes-$KUBE_VERSION"
wrapper() {
  local dir minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  dir=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -f "$dir/go.mod" ] || { echo "no module folder in go mod download output"; return 1; }
  rm -rf "$WRAP" && mkdir -p "$WRAP" || return 1
  {
    echo "module tickler.local/kubernetes-tools"
    echo "go 1.26.0"
    echo "godebug default=go1.26"
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    # Every `k8s.io/X => ./staging/src/k8s.io/X` line of kubernetes' own go.mod.
    sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#replace \1 => \1 '"$STAGING_VERSION"'#p' "$dir/go.mod"
  } >"$WRAP/go.mod" || return 1
  grep -q '^replace k8s.io/client-go ' "$WRAP/go.mod" || { echo "no staging replaces found in $dir/go.mod"; return 1; }
  {
    echo "//go:build tools"
    echo "package tools"
    echo "import ("
    for c in "${CMDS[@]}"; do echo "  _ \"k8s.io/kubernetes/cmd/$c\""; done
    echo ")"
  } >"$WRAP/tools.go" || return 1
  cd "$WRAP" && GOFLAGS="$GOFLAGS -mod=mod" go mod tidy
}
# Without the version -X flags the binaries report v0.0.0-master, which kubectl and Helm refuse.
build() {
  local pkgs=() c ver="k8s.io/component-base/version" minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  for c in "${CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  cd "$WRAP" && mkdir -p out && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w \
    -X $ver.gitVersion=$KUBE_VERSION -X $ver.gitMajor=1 -X $ver.gitMinor=$minor \
    -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 \
    -X k8s.io/client-go/pkg/version.gitMinor=$minor" -o out/ "${pkgs[@]}" || return 1
  for c in "${CMDS[@]}"; do mv -f "out/$c" "$TOOLS/bin/$c" || return 1; done
  "$TOOLS/bin/kube-apiserver" --version
}
run_step kubernetes "wrapper module for k8s.io/kubernetes@$KUBE_VERSION (downloads its dependencies)" \
  "check that the Go module proxy is reachable (go env GOPROXY) and read $LOGS/kubernetes.log" -- wrapper
run_step kubernetes "compile ${CMDS[*]} (first build: several minutes)" \
  "read $LOGS/kubernetes.log; a Go older than the module's go directive fails here (go version)" -- build
rm -rf "$WRAP"
rm -f "$TOOLS"/bin/.kubernetes-*
touch "$STAMP"
