#!/usr/bin/env bash
# What the Slow queries and Trace models add to a recording, reported (never asserted): the A/B
# of bench/record_size.sh (KTOP_REF against KTOP recording the same box at once, ONLY_AB=1)
# while a MariaDB started here (tests/bpf/db.sh, unix socket in a temp dir) runs slow queries
# all the time (at most RATE a second of SLEEP(0.02) in four shapes, in a database), and both
# builds trace it (--db PID) with a trace probe on exec (--trace
# t:sched:sched_process_exec), so each interval holds queries, their waits and blocked stacks,
# the digest, the probe and its events.
# Needs root, MariaDB and perf. Usage: KTOP_REF=path bench/record_sql.sh (KTOP, AB_DURATION,
#   ROUNDS and RATE as record_size.sh's; RATE default 10)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
RATE=${RATE:-10}
[ -n "${KTOP_REF:-}" ] ||
	{ echo "record_sql.sh: set KTOP_REF to the build to compare" >&2; exit 2; }
. "$top/tests/bpf/db.sh"
load=""
cleanup() {
	[ -n "$load" ] && kill "$load" 2>/dev/null && wait "$load" 2>/dev/null
	db_cleanup
}
trap cleanup EXIT

db_mariadb_start bench >/dev/null || { echo "record_sql.sh: MariaDB does not start" >&2; exit 1; }
sock=$db_sock
db_mysql "$sock" "CREATE DATABASE shop" >/dev/null
# the slow queries: RATE a second, four shapes, each a new connection (an exec for the probe)
(
	i=0
	while :; do
		case $((i % 4)) in
		0) q="SELECT SLEEP(0.02)" ;;
		1) q="SELECT SLEEP(0.02) AS s, $i AS n" ;;
		2) q="SELECT SLEEP(0.02) FROM DUAL WHERE 1 = 1" ;;
		*) q="SELECT SLEEP(0.02), 'row $i' AS r" ;;
		esac
		mariadb --no-defaults -S "$sock" -u root -N -B shop -e "$q" >/dev/null 2>&1
		i=$((i + 1))
		echo "$i" >"$db_root/queries"
		sleep "$(awk -v r="$RATE" 'BEGIN { print 1 / r }')"
	done
) &
load=$!
sleep 2
start=$(date +%s)
echo "# record_sql.sh: MariaDB $db_pid, $RATE slow queries a second (SLEEP(0.02), 4 shapes)"
KTOP_REF=$KTOP_REF ONLY_AB=1 AB_ARGS="--db $db_pid --trace t:sched:sched_process_exec" \
	bash "$top/bench/record_size.sh"
echo "# $(cat "$db_root/queries") slow queries in $(($(date +%s) - start)) s"
