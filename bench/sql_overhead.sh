#!/usr/bin/env bash
# What tracing slow queries costs the servers, reported (never asserted): the throughput of a
# read-only loop of fast queries against a throwaway MariaDB (`mariadb-slap`, CLIENTS
# connections, QUERIES point selects by primary key on a table of 1000 rows, like sysbench's
# oltp_point_select; MY_QUERY replaces the query, e.g. MY_QUERY='SELECT 1' for the worst case)
# and PostgreSQL (`pgbench -S`, CLIENTS connections, SECS seconds, protocol PG_MODE: simple,
# extended or prepared), both on unix sockets in a temp dir (tests/bpf/db.sh), with
#   none      nothing attached
#   ktop      ktop's sql collector (`ktop -b -P sql -d 1 -f json`, output to /dev/null; the
#             command is KTOP_SQL, so a harness can stand in for it)
#   bpftrace  a bpftrace script doing the same probe work: uprobe + uretprobe on MariaDB's
#             dispatch_command (COM_QUERY only, start time and text kept per thread), USDT
#             postgresql:query__start/done and query__execute__start/done (the extended
#             protocol), printing queries of 10 ms or more
# Every query is far under the 10 ms threshold, so nothing is printed by either tracer: this is
# the cost of the probes themselves, paid by every query. Each round runs every variant once,
# in an order that rotates from round to round, for ROUNDS rounds (default 5). The report gives
# the median queries per second per variant, the ratios to none and ktop/bpftrace, the time
# added per query (1/QPS - 1/QPS_none, over all connections), the servers' own CPU time per
# query (user + system of mariadbd, and of the postmaster with its ended backends: steadier than
# the throughput on a shared machine, since another job's load changes it much less) and each
# tracer's own CPU use. Then, unless BPF_STATS=0, one more run per tracer with
# kernel.bpf_stats_enabled=1 (restored afterwards) gives each tool's in-kernel BPF run time per
# query (the uprobe trap itself is not in it: that is what the QPS and CPU ratios show), and
# for ktop the share of its programs that split each query's time by class (sched_switch,
# sched_wakeup, block_bio_queue: they run at every context switch of the box, so that share
# grows with the machine's other switches during the run).
# Last, unless PROBE_COST=0, where the time goes: a stand-in binary calls a function with
# MariaDB's dispatch_command signature (its first instruction a push, like mariadbd's, which the
# kernel emulates instead of single-stepping) CALLS times in a loop, and the time per call is
# taken with nothing attached, an empty uprobe, an empty uprobe + uretprobe (bpftrace), ktop
# (`--db` the stand-in) and the bpftrace script: the trap and the return probe against the
# programs' own work.
# Needs root. Usage: bench/sql_overhead.sh
#   (KTOP or KTOP_SQL, ROUNDS, QUERIES, SECS, CLIENTS, MY_QUERY, PG_MODE, BPF_STATS, PROBE_COST,
#   CALLS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
KTOP_SQL=${KTOP_SQL:-"$KTOP -b -P sql -d 1 -f json"}
ROUNDS=${ROUNDS:-5}
QUERIES=${QUERIES:-200000}
SECS=${SECS:-5}
CLIENTS=${CLIENTS:-4}
BPF_STATS=${BPF_STATS:-1}
MY_QUERY=${MY_QUERY:-"SELECT v FROM t WHERE id = 42"}
PG_MODE=${PG_MODE:-simple}
PROBE_COST=${PROBE_COST:-1}
CALLS=${CALLS:-300000}
VARIANTS=(none ktop bpftrace)

[ "$(id -u)" = 0 ] || { echo "sql_overhead.sh: needs root" >&2; exit 2; }
for cmd in mariadb-slap pgbench bpftrace mariadb-install-db; do
	command -v "$cmd" >/dev/null || { echo "sql_overhead.sh: needs $cmd" >&2; exit 2; }
done
. "$top/tests/bpf/db.sh"

. "$top/bench/lib.sh"
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
	ktop) bench_wait_line "$work/out" "ktop: sql: tracing with" sql_overhead.sh 30 || return 1 ;;
	bpftrace) bench_wait_line "$work/out" "Attaching" sql_overhead.sh 30 || return 1 ;;
	esac
	settle
}
# settle: wait until the tracer holds its 6 programs (bpftrace says "Attaching" before it
# loads them), then a moment for the attachments that follow.
settle() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(prog_ids "$tracer" | wc -l)" -ge 6 ] && break
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
# tree_ticks PID: the same with its ended children (a postmaster's backends), once the
# backends of the last run are gone: up to 5 s for the count of children to fall to pg_kids.
tree_ticks() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(pgrep -c -P "$1")" -le "$pg_kids" ] && break
		sleep 0.1
	done
	awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# mysql_qps: queries per second of one mariadb-slap run.
mysql_qps() {
	mariadb-slap --no-defaults -S "$ms" -u root --create-schema=bench --concurrency="$CLIENTS" \
		--iterations=1 --number-of-queries="$QUERIES" --query="$MY_QUERY" 2>&1 |
		awk -v n="$QUERIES" '/Average number of seconds/ { printf "%.0f\n", n / $(NF - 1) }'
}
# pg_run: "TPS COUNT" of one pgbench -S run (one select per transaction).
pg_run() {
	pgbench -S -n -M "$PG_MODE" -c "$CLIENTS" -j "$CLIENTS" -T "$SECS" -h "$ps" -U postgres \
		postgres 2>&1 |
		awk '/actually processed/ { split($NF, a, "/"); n = a[1] }
			/^tps = / { t = $3 } END { printf "%.0f %d\n", t, n }'
}
# us_per: microseconds of CPU per query from TICKS over N queries.
us_per() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { printf "%.2f\n", n ? t / hz * 1e6 / n : 0 }'; }
# prog_ids PID: the IDs of the BPF programs process PID holds.
prog_ids() { cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u; }
# waits_ids IDS: those of these programs that split in-flight queries' time by class (issue 17).
waits_ids() {
	local id
	for id in $1; do
		bpftool prog show id "$id" 2>/dev/null |
			grep -qE 'name sql_(switch|wakeup|bio_queue) ' && echo "$id"
	done
}
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
pg_kids=$(pgrep -c -P "$pg_pid") # its own background processes
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
usdt:@POSTGRES@:postgresql:query__execute__start
/!@pstart[tid] && !@estart[tid]/
{
	@estart[tid] = nsecs;
}
usdt:@POSTGRES@:postgresql:query__execute__done
/@estart[tid]/
{
	$d = nsecs - @estart[tid];
	if ($d >= 10000000) {
		printf("%d %d extended\n", pid, $d / 1000);
	}
	delete(@estart[tid]);
}
EOF
hz=$(getconf CLK_TCK)

pg_version=$("$DB_PG_BIN/postgres" -V | awk '{ print $3 }')
echo "MariaDB $(db_mysql "$ms" "SELECT VERSION()") ($my_exe), PostgreSQL $pg_version ($pg_exe)"
echo "$CLIENTS connections each; mariadb-slap $QUERIES x '$MY_QUERY'," \
	"pgbench -S -M $PG_MODE ${SECS} s; $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
mysql_qps >/dev/null # warm the caches
pg_run >/dev/null
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#VARIANTS[@]}; k++)); do
		v=${VARIANTS[$(((k + r) % ${#VARIANTS[@]}))]}
		start "$v" || exit 1
		c0=$(cpu_ticks "$tracer")
		t0=$(date +%s.%N)
		mt0=$(cpu_ticks "$my_pid")
		qm=$(mysql_qps)
		mt1=$(cpu_ticks "$my_pid")
		pt0=$(tree_ticks "$pg_pid")
		read -r qp np < <(pg_run)
		pt1=$(tree_ticks "$pg_pid")
		t1=$(date +%s.%N)
		c1=$(cpu_ticks "$tracer")
		stop
		echo "$qm" >>"$work/my.$v"
		echo "$qp" >>"$work/pg.$v"
		us_per "$((mt1 - mt0))" "$QUERIES" >>"$work/mycpu.$v"
		us_per "$((pt1 - pt0))" "${np:-0}" >>"$work/pgcpu.$v"
		awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$t0" -v b="$t1" \
			'BEGIN { printf "%.2f\n", 100 * c / hz / (b - a) }' >>"$work/cpu.$v"
		printf 'round %d  %-8s  MariaDB %7s q/s %6s us CPU/q  PostgreSQL %7s q/s %6s us CPU/q\n' \
			"$((r + 1))" "$v" "$qm" "$(tail -1 "$work/mycpu.$v")" "$qp" \
			"$(tail -1 "$work/pgcpu.$v")"
	done
done

echo
echo "medians; ratio = to none; +us/query = 1/QPS - 1/QPS(none); CPU/q = the server's CPU time"
printf '%-9s %11s %6s %7s %7s %6s   %8s %6s %7s %7s %6s %7s\n' variant "MariaDB q/s" ratio \
	"+us/q" "CPU/q" ratio "PG q/s" ratio "+us/q" "CPU/q" ratio "its CPU"
m0=$(median <"$work/my.none")
p0=$(median <"$work/pg.none")
mc0=$(median <"$work/mycpu.none")
pc0=$(median <"$work/pgcpu.none")
for v in "${VARIANTS[@]}"; do
	m=$(median <"$work/my.$v")
	p=$(median <"$work/pg.$v")
	mc=$(median <"$work/mycpu.$v")
	pc=$(median <"$work/pgcpu.$v")
	c=$(median <"$work/cpu.$v")
	awk -v v="$v" -v m="$m" -v m0="$m0" -v p="$p" -v p0="$p0" -v c="$c" -v mc="$mc" \
		-v mc0="$mc0" -v pc="$pc" -v pc0="$pc0" 'BEGIN {
		printf "%-9s %11d %6.3f %7.2f %7.2f %6.3f   %8d %6.3f %7.2f %7.2f %6.3f %6.1f%%\n",
			v, m, m / m0, 1e6 / m - 1e6 / m0, mc, mc / mc0,
			p, p / p0, 1e6 / p - 1e6 / p0, pc, pc / pc0, c }'
done
km=$(median <"$work/my.ktop")
bm=$(median <"$work/my.bpftrace")
kp=$(median <"$work/pg.ktop")
bp=$(median <"$work/pg.bpftrace")
kmc=$(median <"$work/mycpu.ktop")
bmc=$(median <"$work/mycpu.bpftrace")
kpc=$(median <"$work/pgcpu.ktop")
bpc=$(median <"$work/pgcpu.bpftrace")
awk -v a="$km" -v b="$bm" -v c="$kp" -v d="$bp" -v e="$kmc" -v f="$bmc" -v g="$kpc" -v h="$bpc" \
	'BEGIN { printf "ktop/bpftrace: throughput MariaDB %.3f, PostgreSQL %.3f;" \
		" server CPU per query MariaDB %.3f, PostgreSQL %.3f\n", a / b, c / d, e / f, g / h }'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# bpf_stats_run: each tracer's in-kernel BPF time per query, from one run each.
bpf_stats_run() {
	local v ids wids w0 w1 w2 n0 n1 n2 tx

	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	echo
	echo "in-kernel BPF time per query (kernel.bpf_stats_enabled=1, one run each):"
	for v in ktop bpftrace; do
		start "$v" || exit 1
		ids=$(prog_ids "$tracer")
		wids=$(waits_ids "$ids")
		n0=$(bpf_ns "$ids")
		w0=$(bpf_ns "$wids")
		mariadb-slap --no-defaults -S "$ms" -u root --create-schema=bench \
			--concurrency="$CLIENTS" --iterations=1 --number-of-queries="$QUERIES" \
			--query="$MY_QUERY" >/dev/null 2>&1
		n1=$(bpf_ns "$ids")
		w1=$(bpf_ns "$wids")
		read -r _ tx < <(pg_run)
		n2=$(bpf_ns "$ids")
		w2=$(bpf_ns "$wids")
		stop
		awk -v v="$v" -v a="$((n1 - n0))" -v b="$((n2 - n1))" -v q="$QUERIES" \
			-v t="${tx:-0}" 'BEGIN { printf "%-9s MariaDB %6.0f ns/query   " \
			"PostgreSQL %6.0f ns/query\n", v, a / q, t ? b / t : 0 }'
		# ktop's share of it that splits the queries' time by class: its sched_switch,
		# sched_wakeup and block_bio_queue programs, run at every switch of the box
		[ -n "$wids" ] && awk -v a="$((w1 - w0))" -v b="$((w2 - w1))" -v q="$QUERIES" \
			-v t="${tx:-0}" -v n="$((n1 - n0))" -v m="$((n2 - n1))" \
			'BEGIN { printf "  of which waits by class MariaDB %6.0f ns/query (%.0f%%)   " \
			"PostgreSQL %6.0f ns/query (%.0f%%); the probes alone MariaDB %.0f, " \
			"PostgreSQL %.0f\n", a / q, n ? 100 * a / n : 0, t ? b / t : 0, \
			m ? 100 * b / m : 0, (n - a) / q, t ? (m - b) / t : 0 }'
	done
	sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	stats_was=""
}

# standin_build: the stand-in, dispatch_command(enum_server_command, THD *, char *, unsigned,
# bool) called CALLS times by each of 1 or 2 threads; it prints the wall time of 5 runs, in
# nanoseconds per call of one thread.
standin_build() {
	cat >"$work/standin.cc" <<'EOF'
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>
enum enum_server_command { COM_SLEEP, COM_QUERY = 3 };
struct THD { long n; };
volatile long sink;
__attribute__((noinline)) void work(char *p, unsigned n) { sink += p[0] + n; }
__attribute__((noinline)) int dispatch_command(enum_server_command c, THD *thd, char *packet,
					      unsigned int len, bool b)
{
	work(packet, len);
	thd->n++;
	return c + b;
}
static void loop(long n, THD *thd)
{
	char q[] = "SELECT v FROM t WHERE id = 42";
	for (long i = 0; i < n; i++)
		dispatch_command(COM_QUERY, thd, q, sizeof(q) - 1, false);
}
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int nt = argc > 2 ? atoi(argv[2]) : 1;
	static THD thd[2];
	if (nt < 1 || nt > 2)
		return 2;
	for (int r = 0; r < 5; r++) {
		std::thread t[2];
		timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int i = 0; i < nt; i++)
			t[i] = std::thread(loop, n, &thd[i]);
		for (int i = 0; i < nt; i++)
			t[i].join();
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	}
	return 0;
}
EOF
	g++ -O2 -fno-omit-frame-pointer -pthread -o "$work/dispatch-standin" "$work/standin.cc"
}

# probe_cost: the stand-in's time per call under each probe variant (median of 5 runs).
probe_cost() {
	local sym=_Z16dispatch_command19enum_server_commandP3THDPcjb
	local bin=$work/dispatch-standin v t t0=0 u u0=0

	standin_build || { echo "sql_overhead.sh: cannot build the stand-in (g++)" >&2; return 1; }
	sed -e "s|$my_exe|$bin|g" -e '/^usdt:/,$d' "$work/qslower.bt" >"$work/standin.bt"
	echo
	echo "probe cost on a stand-in dispatch_command, $CALLS calls per thread, wall ns per call" \
		"of one thread (median of 5 runs), and what the probes add:"
	printf '%-17s %14s %14s\n' variant "1 thread" "2 threads"
	for v in none uprobe uprobe+uretprobe ktop bpftrace; do
		: >"$work/out"
		case $v in
		uprobe) bpftrace -e "uprobe:$bin:$sym {}" >"$work/out" 2>&1 & ;;
		uprobe+uretprobe)
			bpftrace -e "uprobe:$bin:$sym {} uretprobe:$bin:$sym {}" >"$work/out" 2>&1 &
			;;
		ktop) "$KTOP" -b -P sql -d 1 -f json --db "$bin" >/dev/null 2>"$work/out" & ;;
		bpftrace) BPFTRACE_STRLEN=64 bpftrace "$work/standin.bt" >"$work/out" 2>&1 & ;;
		esac
		case $v in
		none) ;;
		ktop)
			tracer=$!
			bench_wait_line "$work/out" "ktop: sql: tracing with" sql_overhead.sh 30 ||
				return 1
			;;
		*) tracer=$! && bench_wait_line "$work/out" "Attaching" sql_overhead.sh 30 || return 1 ;;
		esac
		[ "$v" = none ] || sleep 2
		t=$("$bin" "$CALLS" 1 | median)
		u=$("$bin" "$CALLS" 2 | median)
		stop
		[ "$v" = none ] && t0=$t && u0=$u
		awk -v v="$v" -v t="$t" -v t0="$t0" -v u="$u" -v u0="$u0" \
			'BEGIN { printf "%-17s %6.0f %+7.0f %6.0f %+7.0f\n", v, t, t - t0, u, u - u0 }'
	done
}

[ "$BPF_STATS" = 0 ] || bpf_stats_run
[ "$PROBE_COST" = 0 ] || probe_cost
