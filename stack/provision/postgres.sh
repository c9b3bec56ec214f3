#!/usr/bin/env bash
# PostgreSQL 15 comes from the machine's Debian packages; the stack runs its own cluster in
# .state (or a temporary folder for tests), so nothing here touches the system cluster.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN=/usr/lib/postgresql/15/bin
[ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ] && exit 0

install() {
  [ "$(id -u)" = 0 ] || { echo "not root: run 'sudo apt-get install postgresql-15' yourself"; return 1; }
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15
}
run_step postgres "install PostgreSQL 15 from Debian's packages" \
  "install postgresql-15 with apt-get (as root) and retry" -- install
