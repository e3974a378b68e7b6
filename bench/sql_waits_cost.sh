#!/usr/bin/env bash
# The in-kernel time of each of the Slow queries collector's BPF programs per query, for two
# ktop builds in turn (e.g. one without the waits by class of issue 17 and one with): a
# throwaway MariaDB (tests/bpf/db.sh), CLIENTS connections of mariadb-slap sending QUERIES
# point selects, with kernel.bpf_stats_enabled=1 (restored on exit); each build runs RUNS times,
# alternating. Per program: runs, ns a run, ns per query; then the total per query. Reported,
# never asserted; the figures are in bench/README.md (Slow queries, waits by class).
# Needs root. Usage: KTOP_A=/path/to/ktop KTOP_B=build/ktop bench/sql_waits_cost.sh
#   (RUNS=2, QUERIES=20000, CLIENTS=4)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP_A=${KTOP_A:?KTOP_A must name the first ktop binary}
KTOP_B=${KTOP_B:-$top/build/ktop}
RUNS=${RUNS:-2}
QUERIES=${QUERIES:-20000}
CLIENTS=${CLIENTS:-4}

[ "$(id -u)" = 0 ] || { echo "sql_waits_cost.sh: needs root" >&2; exit 2; }
for cmd in mariadb-slap bpftool mariadb-install-db python3; do
	command -v "$cmd" >/dev/null || { echo "sql_waits_cost.sh: needs $cmd" >&2; exit 2; }
done
. "$top/tests/bpf/db.sh"
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
kpid=""
stats_was=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
	if [ -n "$kpid" ]; then
		kill -INT "$kpid" 2>/dev/null
		wait "$kpid" 2>/dev/null
	fi
	sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	db_cleanup
	rm -rf "$work"
}
trap cleanup EXIT

# progs_of PID: one line per BPF program the process holds, as bpftool shows it.
progs_of() {
	local id
	local ids
	ids=$(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u)
	for id in $ids; do
		bpftool prog show id "$id" 2>/dev/null | head -1
	done
}

db_mariadb_start bench-waits || { echo "sql_waits_cost.sh: cannot start MariaDB" >&2; exit 1; }
ms=$db_sock
db_mysql "$ms" "CREATE DATABASE bench; CREATE TABLE bench.t (id INT PRIMARY KEY, v INT);
	INSERT INTO bench.t VALUES (42, 1)" || { echo "sql_waits_cost.sh: no table" >&2; exit 1; }
sysctl -qw kernel.bpf_stats_enabled=1
echo "MariaDB, $CLIENTS connections, $QUERIES point selects a run, $RUNS runs per build"
for ((r = 1; r <= RUNS; r++)); do
	for k in "$KTOP_A" "$KTOP_B"; do
		"$k" -b -P sql -f json -d 1 >/dev/null 2>"$work/err" &
		kpid=$!
		for ((i = 0; i < 300; i++)); do
			grep -qs "ktop: sql: tracing with" "$work/err" && break
			kill -0 "$kpid" 2>/dev/null || break
			sleep 0.1
		done
		grep -qs "ktop: sql: tracing with" "$work/err" ||
			{ echo "sql_waits_cost.sh: $k did not start: $(head -2 "$work/err")" >&2
			  exit 1; }
		progs_of "$kpid" >"$work/before"
		mariadb-slap --no-defaults -S "$ms" -u root --create-schema=bench \
			--concurrency="$CLIENTS" --iterations=1 --number-of-queries="$QUERIES" \
			--query="SELECT v FROM t WHERE id = 42" >/dev/null 2>&1
		progs_of "$kpid" >"$work/after"
		kill -INT "$kpid" 2>/dev/null
		wait "$kpid" 2>/dev/null
		kpid=""
		echo "run $r  $k  (load $(cut -d' ' -f1 /proc/loadavg))"
		paste "$work/before" "$work/after" | python3 -c '
import re, sys
q = int(sys.argv[1])
total = 0
def num(s, k):
    m = re.search(k + r" (\d+)", s)
    return int(m.group(1)) if m else 0
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    name = re.search(r"name (\S+)", b).group(1)
    dt = num(b, "run_time_ns") - num(a, "run_time_ns")
    dc = num(b, "run_cnt") - num(a, "run_cnt")
    total += dt
    if dc:
        print("  %-22s runs %8d  %6.0f ns a run  %6.0f ns per query" % (name, dc, dt / dc, dt / q))
print("  total %.0f ns per query" % (total / q))
' "$QUERIES"
	done
done
