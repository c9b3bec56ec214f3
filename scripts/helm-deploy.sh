#!/usr/bin/env bash
# Deploys one commit's image to one environment; .github/workflows/deploy.yml runs it.
#   KUBECONFIG_CONTENT=<kubeconfig> GITHUB_REPOSITORY=owner/name \
#     bash scripts/helm-deploy.sh <staging|production> <full commit sha>
# upgrade --install --atomic --wait: a release whose pods do not become ready is rolled back by
# Helm itself. A release that comes up but fails `helm test` (the chart's smoke test: create a
# task through the api, read it back) is rolled back here to the revision before it; a first
# install that fails it is uninstalled, since there is nothing to go back to.
# Assumptions the chart (helm/tickler) is written to: values image.repository and image.tag;
# the environment's values in helm/environments/<environment>.yaml.
set -euo pipefail

environment=${1:?usage: helm-deploy.sh <environment> <commit>}
commit=${2:?usage: helm-deploy.sh <environment> <commit>}
release=${RELEASE:-tickler}
namespace=${NAMESPACE:-tickler}
chart=helm/tickler
values="helm/environments/$environment.yaml"
# GHCR names are lower-case; GitHub repository names need not be.
repository="ghcr.io/${GITHUB_REPOSITORY,,}"

[ -f "$values" ] || { echo "no values file for $environment: $values" >&2; exit 1; }
[ -n "${KUBECONFIG_CONTENT:-}" ] || { echo "KUBECONFIG_CONTENT is empty (the environment's KUBECONFIG secret)" >&2; exit 1; }

KUBECONFIG=$(mktemp)
export KUBECONFIG
trap 'rm -f "$KUBECONFIG"' EXIT
printf '%s\n' "$KUBECONFIG_CONTENT" > "$KUBECONFIG"
chmod 600 "$KUBECONFIG"

# The revision now deployed (0: none), to go back to if the new one fails its smoke test.
previous=$(helm history "$release" -n "$namespace" --max 1 -o json 2>/dev/null |
  sed -n 's/.*"revision":\([0-9]*\).*/\1/p' || true)
previous=${previous:-0}

echo "deploying $repository:sha-$commit to $environment (release $release in $namespace; previous revision $previous)"
helm upgrade --install "$release" "$chart" \
  --namespace "$namespace" --create-namespace \
  --values "$values" \
  --set-string image.repository="$repository" \
  --set-string image.tag="sha-$commit" \
  --atomic --wait --timeout 10m \
  --history-max 10

if ! helm test "$release" -n "$namespace" --timeout 5m --logs; then
  if [ "$previous" -gt 0 ]; then
    echo "::error::smoke test failed on $environment: rolling back to revision $previous" >&2
    helm rollback "$release" "$previous" -n "$namespace" --wait --timeout 10m
  else
    echo "::error::smoke test failed on the first install in $environment: uninstalling" >&2
    helm uninstall "$release" -n "$namespace" --wait --timeout 10m
  fi
  exit 1
fi
echo "deployed $commit to $environment"
