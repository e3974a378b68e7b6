#!/usr/bin/env bash
# ktop's own cost with the Overview on a box of many processes, reported (never asserted):
# NPROCS (default 2000) sleeping processes are started, then `ktop -b -P overview -d 1` runs
# for DURATION seconds (default 30) writing JSON to a file; the report gives its CPU (user and
# system, from /proc/PID/stat, over the steady part after the first 5 s) as a share of one
# core, its RSS at the end, and how many processes and threads the last snapshot had.
# KTOP_ARGS adds to the command line (e.g. "-p 1": the same collection, one row written).
# Needs root. Usage: bench/overview_cost.sh   (KTOP=path, NPROCS, DURATION, KTOP_ARGS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
NPROCS=${NPROCS:-2000}
DURATION=${DURATION:-30}

[ "$(id -u)" = 0 ] || { echo "overview_cost.sh: needs root" >&2; exit 2; }
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
ktop=""
cleanup() {
	[ -n "$ktop" ] && kill "$ktop" 2>/dev/null
	pkill -g "$sleepers_pgid" sleep 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
# The sleepers run in their own process group, ended as one.
sleepers_pgid=""
trap cleanup EXIT
setsid bash -c "for ((i = 0; i < $NPROCS; i++)); do sleep 100000 & done; wait" &
sleepers_pgid=$!
while [ "$(pgrep -g "$sleepers_pgid" -c sleep)" -lt "$NPROCS" ]; do sleep 0.5; done
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
echo "# overview cost${KTOP_ARGS:+ ($KTOP_ARGS)}: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$(ls -d /proc/[0-9]* | wc -l) processes, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086 # KTOP_ARGS are words
"$KTOP" -b -P overview -d 1 -f json ${KTOP_ARGS:-} >"$work/out.json" 2>"$work/err" &
ktop=$!
sleep 5
t0=$(ticks "$ktop") s0=$(date +%s.%N)
sleep "$((DURATION - 5))"
t1=$(ticks "$ktop") s1=$(date +%s.%N)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$ktop/status")
kill -INT "$ktop"
wait "$ktop" 2>/dev/null
ktop=""
python3 - "$work/out.json" "$t0" "$t1" "$s0" "$s1" "$hz" "$rss" <<'PY'
import json, sys
path, t0, t1, s0, s1, hz, rss = sys.argv[1:]
last = json.loads([l for l in open(path) if l.startswith("{")][-1])
cpu = (int(t1) - int(t0)) / int(hz) / (float(s1) - float(s0))
threads = sum(p["threads"] for p in last["processes"])
print(f"ktop CPU {cpu * 100:.2f}% of a core (steady, after the first 5 s), RSS {int(rss) / 1024:.1f} MB;"
      f" last snapshot: {len(last['processes'])} processes, {threads} threads,"
      f" drops {last['drops']}")
PY
