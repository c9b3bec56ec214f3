#!/usr/bin/env bash
# The Temporal server itself (not the CLI's dev server) and its SQL schema tool, built from the Go
# module proxy, with the PostgreSQL schemas that ship in the same module:
#   $TOOLS/bin/temporal-server, $TOOLS/bin/temporal-sql-tool, $TOOLS/temporal-server/schema/
# The benchmarks run Temporal on the stack's PostgreSQL with them (`--temporal postgres`,
# stack/temporal-server.ts). Opt-in: stack/provision.sh does not run this step, because the cold
# build takes minutes and no default test needs it; bench/bench-stack.ts runs it when asked.
# v1.32.1: the newest release whose go.mod the machine's Go accepts (v1.32.2 needs a newer Go);
# no replace directives, so `go install module@version` works without a wrapper module.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_SERVER_VERSION=v1.32.1
MODULE=go.temporal.io/server
SCHEMA="$TOOLS/temporal-server/schema"
STAMP="$TOOLS/bin/.temporal-server-$TEMPORAL_SERVER_VERSION"
installed() {
  [ -f "$STAMP" ] && [ -x "$TOOLS/bin/temporal-server" ] && [ -x "$TOOLS/bin/temporal-sql-tool" ] &&
    [ -d "$SCHEMA/postgresql/v12/temporal/versioned" ]
}
installed && exit 0
# Two checkouts provisioning at once build once: the second waits, then finds the stamp.
exec 9>"$TOOLS/bin/.temporal-server.lock"
flock 9
installed && exit 0

OUT="$TOOLS/src/temporal-server-$TEMPORAL_SERVER_VERSION"
build() {
  rm -rf "$OUT" && mkdir -p "$OUT" || return 1
  # A lower CPU priority: the build takes both cores for minutes, on machines other work shares.
  GOBIN="$OUT" CGO_ENABLED=0 nice -n 19 go install -trimpath -ldflags "-s -w" \
    "$MODULE/cmd/server@$TEMPORAL_SERVER_VERSION" \
    "$MODULE/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" || return 1
  # Moved into place under their upstream names: a server already running keeps its file.
  mv -f "$OUT/server" "$TOOLS/bin/temporal-server" || return 1
  mv -f "$OUT/sql" "$TOOLS/bin/temporal-sql-tool" || return 1
  rm -rf "$OUT"
}
# The schema files are data in the module, not compiled in: copied out of the module cache.
schema() {
  local dir
  dir=$(go mod download -json "$MODULE@$TEMPORAL_SERVER_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$dir/schema/postgresql/v12" ] || { echo "no schema/postgresql/v12 in the module folder '$dir'"; return 1; }
  rm -rf "$SCHEMA" && mkdir -p "$SCHEMA" && cp -r "$dir/schema/postgresql" "$SCHEMA/" && chmod -R u+w "$SCHEMA"
}
run_step temporal-server "build the Temporal server $TEMPORAL_SERVER_VERSION and temporal-sql-tool from the Go module proxy (first build: several minutes)" \
  "check that the Go module proxy is reachable (go env GOPROXY) and read $LOGS/temporal-server.log; a Go older than the module's go directive fails here (go version)" -- build
run_step temporal-server "copy the PostgreSQL schemas of $MODULE@$TEMPORAL_SERVER_VERSION" \
  "read $LOGS/temporal-server.log" -- schema
rm -f "$TOOLS"/bin/.temporal-server-*
touch "$STAMP"
