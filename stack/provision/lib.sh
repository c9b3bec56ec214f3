# Shared helpers for the provisioning steps. Sourced, never run.
# Every slow step goes through `run_step`, which shows progress and, on failure, names the
# component, the command and the tail of its output, and says what to do.
set -euo pipefail

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# Built tools live outside the working tree, one cache per user (stack/paths.ts has the same
# default), so a fresh clone on this machine finds them built. Every step stamps the version it
# built and builds under a flock, so checkouts provisioning at once build each version once.
# npm's node_modules stays per checkout.
TOOLS="${TICKLER_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tickler}"
LOGS="$TOOLS/logs"
mkdir -p "$TOOLS/bin" "$LOGS"

# Keep Go's module and build caches inside the tools folder, so deleting it really is a cold start.
export GOMODCACHE="$TOOLS/go/mod" GOCACHE="$TOOLS/go/cache" GOFLAGS="-modcacherw -buildvcs=false"
export GOTOOLCHAIN=local

now_s() { date +%s; }

# run_step COMPONENT "what it does" "what to do if it fails" -- command args...
# The command runs in an `||` context, where `set -e` is off: functions passed here must chain
# their steps with `|| return 1`.
run_step() {
  local component=$1 what=$2 advice=$3; shift 4
  local log="$LOGS/$component.log" start; start=$(now_s)
  printf '  [%s] %s ...\n' "$component" "$what" >&2
  # A heartbeat keeps long, silent builds visibly alive.
  ( while sleep 15; do printf '  [%s] ... still working (%ss)\n' "$component" $(( $(now_s) - start )) >&2; done ) &
  local beat=$!
  local rc=0
  "$@" >>"$log" 2>&1 || rc=$?
  kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    {
      printf '\nprovisioning failed: component %s\n  command: %s\n  exit code: %s\n  last lines of %s:\n' \
        "$component" "$*" "$rc" "$log"
      tail -n 25 "$log" | sed 's/^/    | /'
      printf '  what to do: %s\n' "$advice"
    } >&2
    exit 1
  fi
  printf '  [%s] %s done (%ss)\n' "$component" "$what" $(( $(now_s) - start )) >&2
}

have() { [ -x "$1" ]; }
