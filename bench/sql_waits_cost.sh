#!/usr/bin/env bash
# The in-kernel time of each of the Slow queries collector's BPF programs per query, for two or
# three ktop builds in turn (e.g. KTOP_A without the waits by class of issue 17, KTOP_B with
# them, KTOP_C another build with them): a throwaway MariaDB and PostgreSQL (tests/bpf/db.sh),
# CLIENTS connections of mariadb-slap sending QUERIES point selects, then of `pgbench -S`
# sending QUERIES selects in all (PG=0 skips PostgreSQL), with kernel.bpf_stats_enabled=1
# (restored on exit). Each build runs RUNS times, the builds alternating within each run.
# Beside every build an empty program on sched_switch (bench/empty_switch.py) runs as well:
# the fixed cost of any program at every switch of the box, measured the same way.
# Per program: runs, ns a run, ns per query; the total per query; for a sched_switch program,
# the switches of the box per query. Last, per run, each build's total per query and its ratio
# to KTOP_A's in the same run. Reported, never asserted; the figures are in bench/README.md
# (Slow queries, waits by class).
# Needs root. Usage: KTOP_A=/path/to/ktop [KTOP_B=build/ktop] [KTOP_C=...] bench/sql_waits_cost.sh
#   (RUNS=2, QUERIES=20000, CLIENTS=4, PG=1)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP_A=${KTOP_A:?KTOP_A must name the first ktop binary}
KTOP_B=${KTOP_B:-$top/build/ktop}
KTOP_C=${KTOP_C:-}
RUNS=${RUNS:-2}
QUERIES=${QUERIES:-20000}
CLIENTS=${CLIENTS:-4}
PG=${PG:-1}

[ "$(id -u)" = 0 ] || { echo "sql_waits_cost.sh: needs root" >&2; exit 2; }
for cmd in mariadb-slap bpftool mariadb-install-db python3; do
	command -v "$cmd" >/dev/null || { echo "sql_waits_cost.sh: needs $cmd" >&2; exit 2; }
done
. "$top/tests/bpf/db.sh"
if [ "$PG" = 1 ] && [ ! -x "$DB_PG_BIN/pgbench" ]; then
	echo "sql_waits_cost.sh: needs $DB_PG_BIN/pgbench (or PG=0)" >&2
	exit 2
fi
builds=("$KTOP_A" "$KTOP_B")
[ -n "$KTOP_C" ] && builds+=("$KTOP_C")
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
kpid=""
epid=""
stats_was=$(sysctl -n kernel.bpf_stats_enabled)

stop_tracers() {
	if [ -n "$kpid" ]; then
		kill -INT "$kpid" 2>/dev/null
		wait "$kpid" 2>/dev/null
	fi
	if [ -n "$epid" ]; then
		kill "$epid" 2>/dev/null
		wait "$epid" 2>/dev/null
	fi
	kpid=""
	epid=""
}

cleanup() {
	stop_tracers
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

# start_tracers KTOP: the empty program and ktop's sql collector, both attached on return.
start_tracers() {
	local i
	python3 "$top/bench/empty_switch.py" >"$work/empty" 2>&1 </dev/null &
	epid=$!
	"$1" -b -P sql -f json -d 1 >/dev/null 2>"$work/err" &
	kpid=$!
	for ((i = 0; i < 300; i++)); do
		grep -qs "ktop: sql: tracing with" "$work/err" && grep -qs attached "$work/empty" &&
			return 0
		kill -0 "$kpid" 2>/dev/null || break
		sleep 0.1
	done
	echo "sql_waits_cost.sh: $1 did not start: $(head -2 "$work/err") $(head -2 "$work/empty")" >&2
	exit 1
}

# report BEFORE AFTER: per program lines and "total NS" for QUERIES queries.
report() {
	paste "$1" "$2" | python3 -c '
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
        extra = "  %.2f switches of the box per query" % (dc / q) if "switch" in name else ""
        print("  %-22s runs %8d  %6.0f ns a run  %6.0f ns per query%s" %
              (name, dc, dt / dc, dt / q, extra))
print("  total %.0f ns per query" % (total / q))
' "$QUERIES"
}

# measure SERVER KTOP RUN: one build's programs over one server's queries.
measure() {
	local label=$1 k=$2 r=$3 line
	start_tracers "$k"
	progs_of "$kpid" >"$work/before"
	progs_of "$epid" >"$work/ebefore"
	if [ "$label" = MariaDB ]; then
		mariadb-slap --no-defaults -S "$ms" -u root --create-schema=bench \
			--concurrency="$CLIENTS" --iterations=1 --number-of-queries="$QUERIES" \
			--query="SELECT v FROM t WHERE id = 42" >/dev/null 2>&1
	else
		"$DB_PG_BIN/pgbench" -S -n -c "$CLIENTS" -j "$CLIENTS" -t $((QUERIES / CLIENTS)) \
			-h "$ps" -U postgres postgres >/dev/null 2>&1
	fi
	progs_of "$kpid" >"$work/after"
	progs_of "$epid" >"$work/eafter"
	stop_tracers
	echo "$label run $r  $k  (load $(cut -d' ' -f1 /proc/loadavg))"
	report "$work/before" "$work/after" | tee "$work/out"
	report "$work/ebefore" "$work/eafter" | grep -v total | sed 's/^  /  (beside) /'
	line=$(awk '/total/ { print $2 }' "$work/out")
	echo "$label $r $k $line" >>"$work/totals"
}

db_mariadb_start bench-waits || { echo "sql_waits_cost.sh: cannot start MariaDB" >&2; exit 1; }
ms=$db_sock
db_mysql "$ms" "CREATE DATABASE bench; CREATE TABLE bench.t (id INT PRIMARY KEY, v INT);
	INSERT INTO bench.t VALUES (42, 1)" || { echo "sql_waits_cost.sh: no table" >&2; exit 1; }
servers=(MariaDB)
if [ "$PG" = 1 ]; then
	db_pg_start bench-waits-pg || { echo "sql_waits_cost.sh: cannot start PostgreSQL" >&2; exit 1; }
	ps=$db_sock
	"$DB_PG_BIN/pgbench" -i -s 1 -q -h "$ps" -U postgres postgres >/dev/null 2>&1 ||
		{ echo "sql_waits_cost.sh: pgbench -i failed" >&2; exit 1; }
	servers+=(PostgreSQL)
fi
sysctl -qw kernel.bpf_stats_enabled=1
echo "$CLIENTS connections, $QUERIES point selects a run, $RUNS runs per build;" \
	"$(date -u +%FT%RZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= RUNS; r++)); do
	for s in "${servers[@]}"; do
		for k in "${builds[@]}"; do
			measure "$s" "$k" "$r"
		done
	done
done
echo "in-kernel ns per query, and the ratio to the first build in the same run:"
awk -v a="$KTOP_A" '{ key = $1 " " $2; v[key, $3] = $4; if ($3 == a) base[key] = $4 }
	{ order[++n] = $0 }
	END { for (i = 1; i <= n; i++) { split(order[i], f, " "); key = f[1] " " f[2]
		printf "  %-10s run %s  %8s ns  %5.2fx  %s\n", f[1], f[2], f[4],
			base[key] ? f[4] / base[key] : 0, f[3] } }' "$work/totals"
