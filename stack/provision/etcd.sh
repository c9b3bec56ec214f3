#!/usr/bin/env bash
# etcd for the Kubernetes API server of the chart tests: $TOOLS/bin/etcd, built from the Go module
# proxy. Debian's etcd (3.4) is too old for kube-apiserver 1.36, and etcd's server module has
# replace directives, so a throwaway wrapper module requires it and builds its main package.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ETCD_VERSION=v3.6.16
BIN="$TOOLS/bin/etcd"
STAMP="$TOOLS/bin/.etcd-$ETCD_VERSION"
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0
exec 9>"$TOOLS/bin/.etcd.lock"
flock 9
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0

WRAP="$TOOLS/src/etcd-$ETCD_VERSION"
build() {
  rm -rf "$WRAP" && mkdir -p "$WRAP" && cd "$WRAP" || return 1
  printf 'module tickler.local/etcd-tools\ngo 1.26.0\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >go.mod || return 1
  printf '//go:build tools\npackage tools\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go || return 1
  GOFLAGS="$GOFLAGS -mod=mod" go mod tidy || return 1
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN.new" go.etcd.io/etcd/server/v3 || return 1
  mv -f "$BIN.new" "$BIN" && "$BIN" --version
}
run_step etcd "build etcd $ETCD_VERSION from the Go module proxy (first build: under a minute)" \
  "check that the Go module proxy is reachable (go env GOPROXY) and read $LOGS/etcd.log" -- build
rm -rf "$WRAP"
rm -f "$TOOLS"/bin/.etcd-*
touch "$STAMP"
