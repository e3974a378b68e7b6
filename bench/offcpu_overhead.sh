#!/usr/bin/env bash
# What tracing off-CPU time costs each context switch, reported (never asserted).
#  1. `perf bench sched pipe -l LOOPS` (default 1000000), pinned with taskset to CPU (default
#     0) so that its two processes ping-pong through a pipe on one CPU: every operation is two
#     voluntary context switches, each running the tracer's sched_switch program once, with
#       none        nothing attached
#       ktop        ktop's offcpu collector (`ktop -b -P offcpu -d 1 -f json`, to /dev/null)
#       offcputime  libbpf-tools `offcputime` (all threads, user + kernel stacks, its default
#                   1024-entry stack map), running until killed with SIGINT
#       bpftrace    a bpftrace off-CPU script on tracepoint:sched:sched_switch: prev's time,
#                   kstack and ustack into maps by tid; next's block summed by
#                   (comm, kstack, ustack) (the script is printed in the report)
#     Each round runs every variant once, in an order that rotates from round to round, for
#     ROUNDS rounds (default 5). The report gives perf's usecs/op per variant (median, min,
#     max), the time each tracer ADDS per operation (tool - none) and per switch (half of it),
#     and the ratios of added time ktop/offcputime and ktop/bpftrace.
#  2. Unless BPF_STATS=0, one more run per tracer with kernel.bpf_stats_enabled=1 (restored
#     on exit): each program's run_time_ns/run_cnt rise during the perf run, i.e. the ns per
#     sched_switch run inside the program (the trampoline or tracepoint dispatch around it is
#     not counted; part 1 includes it). ktop also runs in three more ways that say what costs
#     what: `-p PID` of a process that sleeps throughout (tracepoint and PID filter only:
#     no stack is taken), `-m 1000000` (both stacks taken at every switch-out, no block
#     counted: perf's blocks are microseconds), and `--stack-storage 1024` (the smallest
#     stack map ktop takes, offcputime's default: more stack-id collisions). The collector's
#     non-zero drop counters are shown. Programs run machine-wide, so run counts include the
#     other CPU's switches (2 x LOOPS come from perf itself).
#  3. Unless EXECS=0, what a new process costs: EXECS (default 2000) fork+execs of /bin/true
#     (never blocks after its exec) and EXECS / 2 of /bin/sleep 0.001 (blocks once: its first
#     block is noted), on CPU with nothing and with ktop attached, alternating for ROUNDS
#     rounds; the time each takes (median) and what ktop adds (its process notes wake it to
#     read the new maps).
# bpftrace 0.17 needs tracefs for tracepoint: probes: if none is mounted, the script mounts it
# at /sys/kernel/tracing and unmounts it on exit (one it did not mount is left alone).
# Needs root. Usage: bench/offcpu_overhead.sh   (KTOP=path, LOOPS, ROUNDS, CPU, BPF_STATS, EXECS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
LOOPS=${LOOPS:-1000000}
EXECS=${EXECS:-2000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-0}
BPF_STATS=${BPF_STATS:-1}
TRACEFS=/sys/kernel/tracing

[ "$(id -u)" = 0 ] || { echo "offcpu_overhead.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "offcpu_overhead.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
for t in offcputime bpftrace perf taskset; do
	command -v "$t" >/dev/null || { echo "offcpu_overhead.sh: needs $t" >&2; exit 2; }
done

. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
tracer=""
sleeper=""
stats_was=""
mounted=""

cleanup() {
	if [ -n "$tracer" ]; then
		kill -INT "$tracer" 2>/dev/null
		wait "$tracer" 2>/dev/null
	fi
	if [ -n "$sleeper" ]; then
		kill "$sleeper" 2>/dev/null
		wait "$sleeper" 2>/dev/null
	fi
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	[ -n "$mounted" ] && umount "$TRACEFS"
	rm -rf "$work"
}
trap cleanup EXIT

# The bpftrace variant: tracepoint:sched:sched_switch runs in prev's context, so prev's
# stacks are kept by tid at switch-out and summed when that thread comes back in.
cat >"$work/offcpu.bt" <<'EOF'
tracepoint:sched:sched_switch
{
	@ts[args->prev_pid] = nsecs;
	@ks[args->prev_pid] = kstack;
	@us[args->prev_pid] = ustack;
	$t = @ts[args->next_pid];
	if ($t) {
		@off[args->next_comm, @ks[args->next_pid], @us[args->next_pid]] = sum(nsecs - $t);
		delete(@ts[args->next_pid]);
	}
}
EOF

if ! grep -qs " $TRACEFS tracefs " /proc/mounts; then
	mount -t tracefs nodev "$TRACEFS" || exit 1
	mounted=1
fi

# start VARIANT [KTOP ARGS...]: attach that tracer (none: nothing) and wait until it traces.
start() {
	local v=$1
	shift
	: >"$work/err"
	case "$v" in
	none) return 0 ;;
	# Frame pointers, as offcputime and bpftrace walk stacks (-p would choose DWARF).
	ktop*) "$KTOP" -b -P offcpu -d 1 -f json --unwind fp "$@" >"$work/out" 2>"$work/err" & ;;
	offcputime) offcputime >/dev/null 2>"$work/err" & ;;
	bpftrace) bpftrace "$work/offcpu.bt" >/dev/null 2>"$work/err" & ;;
	esac
	tracer=$!
	bench_wait_attached "$tracer" offcpu_overhead.sh
}
# stop: detach the running tracer, if any (offcputime and bpftrace print their maps first).
stop() {
	[ -n "$tracer" ] || return 0
	kill -INT "$tracer"
	wait "$tracer" 2>/dev/null
	tracer=""
}
# workload: perf's usecs/op for LOOPS pipe round trips on CPU.
workload() {
	taskset -c "$CPU" perf bench sched pipe -l "$LOOPS" 2>&1 | awk '/usecs\/op/ { print $1 }'
}

echo "# off-CPU overhead: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$($KTOP --version | head -1), $(dpkg-query -W -f='libbpf-tools ${Version}' libbpf-tools)," \
	"$(bpftrace --version), $(perf --version)"
echo "# taskset -c $CPU perf bench sched pipe -l $LOOPS, $ROUNDS rounds; load average" \
	"$(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "# bpftrace variant:"
sed 's/^/#   /' "$work/offcpu.bt"
workload >/dev/null # warm

variants=(none ktop offcputime bpftrace)
: >"$work/results"
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#variants[@]}; k++)); do
		v=${variants[$(((k + r) % ${#variants[@]}))]}
		start "$v" || exit 1
		us=$(workload)
		stop
		[ -n "$us" ] || { echo "offcpu_overhead.sh: perf bench failed" >&2; exit 1; }
		echo "$v $us" >>"$work/results"
		printf 'round %d  %-10s %8.3f usecs/op\n' "$((r + 1))" "$v" "$us"
	done
done
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"

python3 - "$work/results" <<'PY'
import statistics, sys
us = {}
for line in open(sys.argv[1]):
    v, x = line.split()
    us.setdefault(v, []).append(float(x))
med = {v: statistics.median(x) for v, x in us.items()}
print()
print(f"{'variant':11} {'usecs/op':>9} {'min':>7} {'max':>7} {'vs none':>8} {'+ns/op':>7}"
      f" {'+ns/switch':>10}")
for v in ("none", "ktop", "offcputime", "bpftrace"):
    x = us[v]
    added = (med[v] - med["none"]) * 1000
    print(f"{v:11} {med[v]:9.3f} {min(x):7.3f} {max(x):7.3f} {med[v] / med['none']:8.3f}"
          f" {added:7.0f} {added / 2:10.0f}")
add = lambda v: med[v] - med["none"]
for other in ("offcputime", "bpftrace"):
    if add(other) > 0:
        print(f"added time ktop / {other:10} = {add('ktop') / add(other):.3f}")
    else:
        print(f"added time ktop / {other:10} = n/a ({other} added nothing measurable)")
PY

# execs N COMMAND...: ns per fork+exec of COMMAND, N of them on CPU.
execs() {
	taskset -c "$CPU" bash -c 'n=$1; shift; s=$(date +%s%N)
		for ((i = 0; i < n; i++)); do "$@"; done
		echo $((($(date +%s%N) - s) / n))' _ "$@"
}
if [ "$EXECS" -gt 0 ]; then
	: >"$work/execs"
	for ((r = 0; r < ROUNDS; r++)); do
		for v in none ktop; do
			start "$v" || exit 1
			echo "$v true $(execs "$EXECS" /bin/true)" >>"$work/execs"
			echo "$v sleep $(execs $((EXECS / 2)) /bin/sleep 0.001)" >>"$work/execs"
			stop
		done
	done
	python3 - "$work/execs" <<'PY'
import statistics, sys
ns = {}
for line in open(sys.argv[1]):
    v, what, x = line.split()
    ns.setdefault((what, v), []).append(int(x))
print()
for what, cmd in (("true", "/bin/true"), ("sleep", "/bin/sleep 0.001")):
    none, ktop = (statistics.median(ns[(what, v)]) for v in ("none", "ktop"))
    rounds = ", ".join(f"{x / 1000:.1f}" for x in ns[(what, "ktop")])
    print(f"fork+exec of {cmd:17} none {none / 1000:7.1f} us  ktop {ktop / 1000:7.1f} us"
          f"  (ktop rounds {rounds})  ktop adds {(ktop - none) / 1000:5.1f} us")
PY
fi

[ "$BPF_STATS" = 1 ] || exit 0
sleep 1000000 &
sleeper=$!
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
echo
echo "in-kernel BPF time per run (kernel.bpf_stats_enabled=1, one perf run each):"
# label|variant|ktop arguments
for spec in "ktop|ktop|" "ktop -p idle|ktop|-p $sleeper" "ktop -m 1s|ktop|-m 1000000" \
	"ktop storage 1024|ktop|--stack-storage 1024" "offcputime|offcputime|" "bpftrace|bpftrace|"; do
	IFS='|' read -r label v args <<<"$spec"
	# shellcheck disable=SC2086 # args are words
	start "$v" $args || exit 1
	bench_prog_stats "$tracer" >"$work/before"
	workload >/dev/null
	bench_prog_stats "$tracer" >"$work/after"
	sleep 1.2 # ktop: one more snapshot, for its drop counters
	stop
	python3 - "$label" "$LOOPS" "$work/before" "$work/after" "$work/out" <<'PY'
import json, sys
label, loops = sys.argv[1], int(sys.argv[2])
read = lambda f: {r[0]: r[1:] for r in (l.split() for l in open(f)) if r}
before, after = read(sys.argv[3]), read(sys.argv[4])
rows = [(n, int(t) - int(before[i][1]), int(c) - int(before[i][2]))
        for i, (n, t, c) in after.items() if i in before]
sw = [(n, t, c) for n, t, c in rows if "sw" in n or "switch" in n or "sched_sw" in n]
if not sw:
    sw = [max(rows, key=lambda r: r[2])]  # the program that ran most
n, t, c = sw[0]
extra = ""
if label.startswith("ktop"):
    lines = [l for l in open(sys.argv[5]) if l.startswith("{")]
    if lines:
        d = json.loads(lines[-1])["drops"]
        nz = ", ".join(f"{k} {v}" for k, v in d.items() if v)
        extra = f"  drops: {nz}" if nz else "  drops: none"
others = ", ".join(f"{m} {tt / cc:.0f} ns x{cc}" for m, tt, cc in rows if cc and m != n)
print(f"{label:17} {n:16} {t / c if c else 0:5.0f} ns/run  x{c:<8}"
      + (f"  other: {others}" if others else "") + extra)
PY
done
