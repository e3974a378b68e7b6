#!/usr/bin/env bash
# What tracing slow queries costs the servers, reported (never asserted): the throughput of a
# read-only loop of fast queries against a throwaway MariaDB (`mariadb-slap`, CLIENTS
# connections, QUERIES point selects by primary key) and PostgreSQL (`pgbench -S`, CLIENTS
# connections, SECS seconds), both on unix sockets in a temp dir (tests/bpf/db.sh), with
#   none      nothing attached
#   ktop      ktop's sql collector (`ktop -b -P sql -d 1 -f json`, output to /dev/null; the
#             command is KTOP_SQL, so a harness can stand in for it)
#   bpftrace  a bpftrace script doing the same probe work: uprobe + uretprobe on MariaDB's
#             dispatch_command (COM_QUERY only, start time and text kept per thread) and
#             USDT postgresql:query__start/done, printing queries of 10 ms or more
# Every query is far under the 10 ms threshold, so nothing is printed by either tracer: this is
# the cost of the probes themselves, paid by every query. Each round runs every variant once,
# in an order that rotates from round to round, for ROUNDS rounds (default 5). The report gives
# the median queries per second per variant, the ratios to none and ktop/bpftrace, the time
# added per query (1/QPS - 1/QPS_none, over all connections) and each tracer's own CPU use.
# Then, unless BPF_STATS=0, one more run per tracer with kernel.bpf_stats_enabled=1 (restored
# afterwards) gives each tool's in-kernel BPF run time per query (the uprobe trap itself is not
# in it: that is what the QPS ratios show).
# Needs root. Usage: bench/sql_overhead.sh   (KTOP or KTOP_SQL, ROUNDS, QUERIES, SECS, CLIENTS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
KTOP_SQL=${KTOP_SQL:-"$KTOP -b -P sql -d 1 -f json"}
ROUNDS=${ROUNDS:-5}
QUERIES=${QUERIES:-200000}
SECS=${SECS:-5}
CLIENTS=${CLIENTS:-4}
BPF_STATS=${BPF_STATS:-1}
VARIANTS=(none ktop bpftrace)

[ "$(id -u)" = 0 ] || { echo "sql_overhead.sh: needs root" >&2; exit 2; }
for cmd in mariadb-slap pgbench bpftrace mariadb-install-db; do
	command -v "$cmd" >/dev/null || { echo "sql_overhead.sh: needs $cmd" >&2; exit 2; }
done
. "$top/tests/bpf/db.sh"

work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
tracer=""
stats_was=""

cleanup() {
	if [ -n "$tracer" ]; then
		kill -INT "$tracer" 2>/dev/null
		wait "$tracer" 2>/dev/null
	fi
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	db_cleanup
	rm -rf "$work"
}
trap cleanup EXIT

# wait_line FILE TEXT: poll up to 30 s (bpftrace compiles first) for TEXT in FILE.
wait_line() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.1
	done
	echo "sql_overhead.sh: no '$2' in $1: $(head -3 "$1")" >&2
	return 1
}
# start VARIANT: attach that tracer (none: nothing) and wait until it traces.
start() {
	: >"$work/out"
	# KTOP_SQL is a command line: split on purpose.
	# shellcheck disable=SC2086
	case "$1" in
	none) return 0 ;;
	ktop) $KTOP_SQL >/dev/null 2>"$work/out" & ;;
	bpftrace) BPFTRACE_STRLEN=64 bpftrace "$work/qslower.bt" >"$work/out" 2>&1 & ;;
	esac
	tracer=$!
	case "$1" in
	ktop) wait_line "$work/out" "ktop: sql: tracing with" || return 1 ;;
	bpftrace) wait_line "$work/out" "Attaching" || return 1 ;;
	esac
	settle
}
# settle: wait until the tracer holds its 4 programs (bpftrace says "Attaching" before it
# loads them), then a moment for the attachments that follow.
settle() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(prog_ids "$tracer" | wc -l)" -ge 4 ] && break
		sleep 0.1
	done
	sleep 1
}
# stop: detach the running tracer, if any.
stop() {
	[ -n "$tracer" ] || return 0
	kill -INT "$tracer"
	wait "$tracer" 2>/dev/null
	tracer=""
}
# cpu_ticks PID: user + system clock ticks of a process so far (0 for none).
cpu_ticks() {
	[ -n "$1" ] || { echo 0; return; }
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# mysql_qps: queries per second of one mariadb-slap run.
mysql_qps() {
	mariadb-slap --no-defaults -S "$ms" -u root --create-schema=bench --concurrency="$CLIENTS" \
		--iterations=1 --number-of-queries="$QUERIES" \
		--query="SELECT v FROM t WHERE id = 42" 2>&1 |
		awk -v n="$QUERIES" '/Average number of seconds/ { printf "%.0f\n", n / $(NF - 1) }'
}
# pg_tps: transactions (one select each) per second of one pgbench -S run.
pg_tps() {
	pgbench -S -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECS" -h "$ps" -U postgres postgres 2>&1 |
		awk '/^tps = / { printf "%.0f\n", $3 }'
}
# prog_ids PID: the IDs of the BPF programs process PID holds.
prog_ids() { cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u; }
# bpf_ns IDS: the sum of run_time_ns of these programs.
bpf_ns() {
	local id sum=0 t
	for id in $1; do
		t=$(bpftool prog show id "$id" 2>/dev/null | grep -o 'run_time_ns [0-9]*' | awk '{ print $2 }')
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}
# median: the median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'
}

db_mariadb_start bench-my || { echo "sql_overhead.sh: cannot start MariaDB" >&2; exit 1; }
my_pid=$db_pid
ms=$db_sock
db_mysql "$ms" "CREATE DATABASE bench; CREATE TABLE bench.t (id INT PRIMARY KEY, v VARCHAR(32));
	INSERT INTO bench.t SELECT seq, CONCAT('v', seq) FROM mysql.seq_1_to_1000" ||
	{ echo "sql_overhead.sh: cannot fill the MariaDB table" >&2; exit 1; }
db_pg_start bench-pg || { echo "sql_overhead.sh: cannot start PostgreSQL" >&2; exit 1; }
pg_pid=$db_pid
ps=$db_sock
pgbench -i -s 1 -q -h "$ps" -U postgres postgres >/dev/null 2>&1 ||
	{ echo "sql_overhead.sh: pgbench -i failed" >&2; exit 1; }
my_exe=$(readlink "/proc/$my_pid/exe")
pg_exe=$(readlink "/proc/$pg_pid/exe")
sed -e "s|@MYSQLD@|$my_exe|g" -e "s|@POSTGRES@|$pg_exe|g" >"$work/qslower.bt" <<'EOF'
uprobe:@MYSQLD@:_Z16dispatch_command19enum_server_commandP3THDPcjb
/arg0 == 3/
{
	@start[tid] = nsecs;
	@text[tid] = str(arg2, arg3);
}
uretprobe:@MYSQLD@:_Z16dispatch_command19enum_server_commandP3THDPcjb
/@start[tid]/
{
	$d = nsecs - @start[tid];
	if ($d >= 10000000) {
		printf("%d %d %s\n", pid, $d / 1000, @text[tid]);
	}
	delete(@start[tid]);
	delete(@text[tid]);
}
usdt:@POSTGRES@:postgresql:query__start
{
	@pstart[tid] = nsecs;
	@ptext[tid] = str(arg0);
}
usdt:@POSTGRES@:postgresql:query__done
/@pstart[tid]/
{
	$d = nsecs - @pstart[tid];
	if ($d >= 10000000) {
		printf("%d %d %s\n", pid, $d / 1000, @ptext[tid]);
	}
	delete(@pstart[tid]);
	delete(@ptext[tid]);
}
EOF
hz=$(getconf CLK_TCK)

pg_version=$("$DB_PG_BIN/postgres" -V | awk '{ print $3 }')
echo "MariaDB $(db_mysql "$ms" "SELECT VERSION()") ($my_exe), PostgreSQL $pg_version ($pg_exe)"
echo "$CLIENTS connections each; mariadb-slap $QUERIES point selects," \
	"pgbench -S ${SECS} s; $ROUNDS rounds"
mysql_qps >/dev/null # warm the caches
pg_tps >/dev/null
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#VARIANTS[@]}; k++)); do
		v=${VARIANTS[$(((k + r) % ${#VARIANTS[@]}))]}
		start "$v" || exit 1
		c0=$(cpu_ticks "$tracer")
		t0=$(date +%s.%N)
		qm=$(mysql_qps)
		qp=$(pg_tps)
		t1=$(date +%s.%N)
		c1=$(cpu_ticks "$tracer")
		stop
		echo "$qm" >>"$work/my.$v"
		echo "$qp" >>"$work/pg.$v"
		awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$t0" -v b="$t1" \
			'BEGIN { printf "%.2f\n", 100 * c / hz / (b - a) }' >>"$work/cpu.$v"
		printf 'round %d  %-8s  MariaDB %7s q/s  PostgreSQL %7s q/s\n' "$((r + 1))" "$v" "$qm" "$qp"
	done
done

echo
printf '%-9s %12s %8s %10s %12s %8s %10s %9s\n' variant "MariaDB q/s" ratio "+us/query" \
	"PG q/s" ratio "+us/query" "its CPU"
m0=$(median <"$work/my.none")
p0=$(median <"$work/pg.none")
for v in "${VARIANTS[@]}"; do
	m=$(median <"$work/my.$v")
	p=$(median <"$work/pg.$v")
	c=$(median <"$work/cpu.$v")
	awk -v v="$v" -v m="$m" -v m0="$m0" -v p="$p" -v p0="$p0" -v c="$c" 'BEGIN {
		printf "%-9s %12d %8.3f %10.2f %12d %8.3f %10.2f %8.1f%%\n", v, m, m / m0,
			1e6 / m - 1e6 / m0, p, p / p0, 1e6 / p - 1e6 / p0, c }'
done
km=$(median <"$work/my.ktop")
bm=$(median <"$work/my.bpftrace")
kp=$(median <"$work/pg.ktop")
bp=$(median <"$work/pg.bpftrace")
awk -v a="$km" -v b="$bm" -v c="$kp" -v d="$bp" \
	'BEGIN { printf "ktop/bpftrace throughput: MariaDB %.3f, PostgreSQL %.3f\n", a / b, c / d }'

[ "$BPF_STATS" = 0 ] && exit 0
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
echo
echo "in-kernel BPF time per query (kernel.bpf_stats_enabled=1, one run each):"
for v in ktop bpftrace; do
	start "$v" || exit 1
	ids=$(prog_ids "$tracer")
	n0=$(bpf_ns "$ids")
	mariadb-slap --no-defaults -S "$ms" -u root --create-schema=bench --concurrency="$CLIENTS" \
		--iterations=1 --number-of-queries="$QUERIES" --query="SELECT v FROM t WHERE id = 42" \
		>/dev/null 2>&1
	n1=$(bpf_ns "$ids")
	tx=$(pgbench -S -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECS" -h "$ps" -U postgres postgres 2>&1 |
		awk '/actually processed/ { print $NF }' | cut -d/ -f1)
	n2=$(bpf_ns "$ids")
	stop
	awk -v v="$v" -v a="$((n1 - n0))" -v b="$((n2 - n1))" -v q="$QUERIES" -v t="${tx:-0}" \
		'BEGIN { printf "%-9s MariaDB %6.0f ns/query   PostgreSQL %6.0f ns/query\n", v,
			a / q, t ? b / t : 0 }'
done
