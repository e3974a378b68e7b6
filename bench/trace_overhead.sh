#!/usr/bin/env bash
# What the Trace panel costs the traced programs, reported (never asserted).
# 1. A uprobe: the time per call of tests/bpf/tracee.c's tracee_work(int, char *), CALLS
#    (default 200000) calls in a tight loop pinned with taskset to CPU (default 1), with
#      none      nothing attached
#      ktop      ktop -b -P trace -d 1 -f json --trace 'TRACEE:tracee_work "%d %s", arg1, arg2'
#      bpftrace  bpftrace -e 'uprobe:TRACEE:tracee_work { printf("%d %s\n", arg0, str(arg1)); }'
#                with BPFTRACE_STRLEN=80, ktop's default string limit
#    Each round runs every variant once, in an order that rotates from round to round, for
#    ROUNDS rounds (default 5). The cost per traced call is a variant's median time per call
#    minus none's; the report gives both costs and their ratio ktop/bpftrace (target: at most 1),
#    and the events each tool lost (a lost event costs less than a sent one).
# 2. The VFS counters: the time per syscall of one-byte writes to /dev/null (a counted VFS
#    operation) and of getppid (not one: only the syscall table lookup), SYSCALLS (default
#    1000000) of each, with none and with ktop's VFS counters attached (batch mode attaches
#    them), the same rotation; the report gives the added ns per syscall.
# 3. Unless BPF_STATS=0: one more run per tracer with kernel.bpf_stats_enabled=1 (restored
#    afterwards): the in-kernel run time per call of each tool's uprobe program, and of ktop's
#    sys_enter program per syscall (the rise of run_time_ns over the rise of run_cnt).
# Needs root, gcc and <sys/sdt.h>. Usage: bench/trace_overhead.sh   (KTOP, CALLS, SYSCALLS,
# ROUNDS, CPU to change)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
CALLS=${CALLS:-200000}
SYSCALLS=${SYSCALLS:-1000000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-1}
BPF_STATS=${BPF_STATS:-1}

[ "$(id -u)" = 0 ] || { echo "trace_overhead.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "trace_overhead.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
command -v bpftrace >/dev/null || { echo "trace_overhead.sh: needs bpftrace" >&2; exit 2; }

. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
tracer=""
stats_was=""

cleanup() {
	if [ -n "$tracer" ]; then
		kill -TERM "$tracer" 2>/dev/null
		wait "$tracer" 2>/dev/null
	fi
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$work"
}
trap cleanup EXIT

tracee=$work/tracee
gcc -O1 -g -o "$tracee" "$top/tests/bpf/tracee.c" ||
	{ echo "trace_overhead.sh: cannot build tests/bpf/tracee.c" >&2; exit 2; }
spec="$tracee:tracee_work \"%d %s\", arg1, arg2"
bt_prog="uprobe:$tracee:tracee_work { printf(\"%d %s\\n\", arg0, str(arg1)); }"

# probed: whether tracee_work has a uprobe on it yet (a call then costs a trap, over 300 ns).
probed() {
	local ns
	ns=$("$tracee" loop 100 | awk '{ print int($1) }')
	[ "$ns" -gt 300 ]
}
# start VARIANT: attach that tracer (none: nothing) and wait until it traces.
start() {
	: >"$work/out"
	: >"$work/err"
	case "$1" in
	none) return 0 ;;
	ktop) "$KTOP" -b -P trace -d 1 -f json --trace "$spec" >"$work/out" 2>"$work/err" & ;;
	ktop-vfs) "$KTOP" -b -P trace -d 1 -f json >"$work/out" 2>"$work/err" & ;;
	bpftrace) BPFTRACE_STRLEN=80 bpftrace -o "$work/out" -e "$bt_prog" >"$work/err" 2>&1 & ;;
	esac
	tracer=$!
	case "$1" in
	ktop*) bench_wait_line "$work/err" "ktop: trace: tracing with" trace_overhead.sh ;;
	bpftrace) bench_wait_line "$work/out" "Attaching 1 probe" trace_overhead.sh || return 1 ;;
	esac
	[ "$1" = ktop-vfs ] && return 0
	# bpftrace says "Attaching" before it attaches.
	for ((i = 0; i < 100; i++)); do
		probed && return 0
		sleep 0.1
	done
	echo "trace_overhead.sh: $1 did not attach its uprobe" >&2
	return 1
}
# stop VARIANT: detach the running tracer (SIGTERM: a background job ignores SIGINT), after the
# events it has are in (ktop: one more snapshot); the events it lost go to $work/lost.
stop() {
	local n
	echo 0 >"$work/lost"
	[ -n "$tracer" ] || return 0
	if [ "$1" = ktop ]; then
		n=$(wc -l <"$work/out")
		for ((i = 0; i < 40; i++)); do
			[ "$(wc -l <"$work/out")" -ge $((n + 2)) ] && break
			sleep 0.1
		done
	fi
	kill -TERM "$tracer"
	wait "$tracer" 2>/dev/null
	tracer=""
	case "$1" in
	ktop) tail -1 "$work/out" | python3 -c 'import json, sys
try: print(json.loads(sys.stdin.read())["probes"][0]["lost"])
except Exception: print(0)' >"$work/lost" ;;
	bpftrace) cat "$work/out" "$work/err" | sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }' >"$work/lost" ;;
	esac
}
# rotate ROUND ITEMS...: the items, rotated by ROUND.
rotate() {
	local r=$1
	shift
	local a=("$@") n=$#
	for ((i = 0; i < n; i++)); do echo "${a[$(((i + r) % n))]}"; done
}
# median: the median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "trace_overhead.sh: CALLS=$CALLS SYSCALLS=$SYSCALLS ROUNDS=$ROUNDS CPU=$CPU, $(uname -r)"

# --- 1. a uprobe: ktop vs bpftrace ----------------------------------------------------------
for ((r = 0; r < ROUNDS; r++)); do
	for v in $(rotate "$r" none ktop bpftrace); do
		start "$v" || exit 1
		ns=$(taskset -c "$CPU" "$tracee" loop "$CALLS" | awk '{ print $1 }')
		stop "$v"
		lost=$(cat "$work/lost")
		echo "$ns" >>"$work/call-$v"
		[ "$v" != none ] && echo "$lost" >>"$work/lost-$v"
		printf '  round %d %-9s %8.1f ns/call%s\n' "$r" "$v" "$ns" \
			"$([ "$v" != none ] && echo ", lost $lost")"
	done
done
none=$(median <"$work/call-none")
ktop=$(median <"$work/call-ktop")
bpft=$(median <"$work/call-bpftrace")
awk -v n="$none" -v k="$ktop" -v b="$bpft" -v lk="$(paste -sd+ "$work/lost-ktop" | bc)" \
	-v lb="$(paste -sd+ "$work/lost-bpftrace" | bc)" -v calls="$CALLS" -v rounds="$ROUNDS" 'BEGIN {
	printf "uprobe, median time per call: none %.1f ns, ktop %.1f ns, bpftrace %.1f ns\n", n, k, b
	printf "cost per traced call: ktop %.1f ns, bpftrace %.1f ns, ratio ktop/bpftrace %.2f\n",
		k - n, b - n, ((b - n) > 0 ? (k - n) / (b - n) : 0)
	printf "events lost over %d calls: ktop %d, bpftrace %d\n", calls * rounds, lk, lb
}'

# --- 2. the VFS counters per syscall ---------------------------------------------------------
for ((r = 0; r < ROUNDS; r++)); do
	for v in $(rotate "$r" none ktop-vfs); do
		start "$v" || exit 1
		read -r _ w _ _ g _ < <(taskset -c "$CPU" "$tracee" sys "$SYSCALLS")
		stop "$v"
		echo "$w" >>"$work/write-$v"
		echo "$g" >>"$work/getppid-$v"
		printf '  round %d %-9s write %6.1f ns  getppid %6.1f ns\n' "$r" "$v" "$w" "$g"
	done
done
awk -v wn="$(median <"$work/write-none")" -v wk="$(median <"$work/write-ktop-vfs")" \
	-v gn="$(median <"$work/getppid-none")" -v gk="$(median <"$work/getppid-ktop-vfs")" 'BEGIN {
	printf "VFS counters, median time per syscall: write %.1f -> %.1f ns (%+.1f ns), " \
		"getppid %.1f -> %.1f ns (%+.1f ns)\n", wn, wk, wk - wn, gn, gk, gk - gn
}'

# --- 3. in-kernel run time per call ----------------------------------------------------------
[ "$BPF_STATS" = 1 ] || exit 0
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
# prog_stats PID NAME: "run_time_ns run_cnt" summed over the programs PID holds (found in its
# fds' fdinfo) whose name starts with NAME.
prog_stats() {
	local ids
	ids=$(cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u)
	bpftool -j prog show 2>/dev/null | python3 -c 'import json, sys
ids, name = set(int(x) for x in sys.argv[1].split()), sys.argv[2]
t = c = 0
for p in json.load(sys.stdin):
    if p["id"] in ids and p.get("name", "").startswith(name):
        t += p.get("run_time_ns", 0); c += p.get("run_cnt", 0)
print(t, c)' "$ids" "$2"
}
for v in ktop bpftrace; do
	start "$v" || exit 1
	name=$([ "$v" = ktop ] && echo trace_uprobe || echo "")
	read -r t0 c0 < <(prog_stats "$tracer" "$name")
	taskset -c "$CPU" "$tracee" loop "$CALLS" >/dev/null
	read -r t1 c1 < <(prog_stats "$tracer" "$name")
	stop "$v" >/dev/null
	awk -v v="$v" -v t=$((t1 - t0)) -v c=$((c1 - c0)) 'BEGIN {
		printf "in-kernel uprobe program time: %-8s %.1f ns per call (%d calls)\n", v,
			c ? t / c : 0, c }'
done
start ktop-vfs || exit 1
read -r t0 c0 < <(prog_stats "$tracer" trace_vfs)
taskset -c "$CPU" "$tracee" sys "$SYSCALLS" >/dev/null
read -r t1 c1 < <(prog_stats "$tracer" trace_vfs)
stop ktop-vfs
awk -v t=$((t1 - t0)) -v c=$((c1 - c0)) 'BEGIN {
	printf "in-kernel sys_enter program time: %.1f ns per syscall (%d syscalls, whole system)\n",
		c ? t / c : 0, c }'
