#!/usr/bin/env bash
# What on-CPU sampling of one process costs it, reported (never asserted).
#  1. A CPU-bound program (built here: a multiply-add loop of ITERS steps, default 3e9, about
#     3 s, in spin_outer -> spin_inner, with frame pointers), pinned with taskset to CPU
#     (default 1), times itself from its start signal to its end in CPU time
#     (CLOCK_PROCESS_CPUTIME_ID: this kernel has no IRQ time accounting, so the sampling
#     interrupts are charged to the task they interrupt, while the time other jobs hold the CPU
#     is not; the wall time is shown too), with
#       none          nothing attached
#       ktop-HZ       ktop's stacks collector on its PID (`ktop -b -P stacks -p PID -F HZ -d 1
#                     -f json --unwind fp`, to /dev/null): a cpu-clock perf event per CPU,
#                     kernel + user stack into the stack map, counted by (thread, stacks) in
#                     the kernel (frame pointers, as bpftrace walks them: what DWARF
#                     unwinding adds is bench/unwind_overhead.sh's to measure)
#       bpftrace-HZ   `profile:hz:HZ /pid == PID/ { @[tid, kstack, ustack] = count(); }`
#     for HZ in 99 and 999. libbpf-tools has no `profile` tool in this distribution's package
#     (0.26), so bpftrace is the only peer. The tracers run pinned to another CPU (TRACER_CPU,
#     default the other of CPUs 0 and 1), so their user-space work (ktop's polls and
#     symbolizing, bpftrace's map printing) does not take the workload's CPU: what is left is
#     the sampling in the workload's context (the timer interrupt, the program, the stack walk).
#     Each round runs every variant once, in an order that rotates from round to round, for
#     ROUNDS rounds (default 5). The report gives the median CPU time per variant (min, max,
#     wall median), the time each tracer ADDS (tool - none) in ms and in %, and the ratio of
#     added time ktop/bpftrace at each frequency. At 99 Hz the added time is tiny (tens of
#     microseconds a second); on a busy machine it drowns in the noise, hence part 2.
#  2. Unless BPF_STATS=0, one more run per tracer and frequency with
#     kernel.bpf_stats_enabled=1 (restored on exit): the sampling program's run_time_ns and
#     run_cnt over the run, i.e. ns per sample inside the program (every CPU's samples: the
#     program runs on each and filters by PID), the share of a CPU that is, and the tracer's
#     own user-space CPU time per second of the run (ktop: start-up, symbolizing and polls;
#     bpftrace: nothing until it prints its map at exit, which is not included). ktop's drop
#     counters are shown when not zero.
# Needs root. Usage: bench/stacks_overhead.sh   (KTOP=path, ITERS, ROUNDS, CPU, TRACER_CPU,
# BPF_STATS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
ITERS=${ITERS:-3000000000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-1}
TRACER_CPU=${TRACER_CPU:-$((CPU == 0 ? 1 : 0))}
BPF_STATS=${BPF_STATS:-1}

[ "$(id -u)" = 0 ] || { echo "stacks_overhead.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "stacks_overhead.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
for t in bpftrace bpftool taskset gcc; do
	command -v "$t" >/dev/null || { echo "stacks_overhead.sh: needs $t" >&2; exit 2; }
done

. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
tracer=""
spinner=""
stats_was=""

cleanup() {
	if [ -n "$tracer" ]; then
		kill -INT "$tracer" 2>/dev/null
		wait "$tracer" 2>/dev/null
	fi
	if [ -n "$spinner" ]; then
		kill "$spinner" 2>/dev/null
		wait "$spinner" 2>/dev/null
	fi
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$work"
}
trap cleanup EXIT

# The workload: waits until GO can be opened (a FIFO the script writes), then times ITERS steps.
cat >"$work/spin.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

__attribute__((noinline)) unsigned long spin_inner(unsigned long n, unsigned long x)
{
	for (unsigned long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x;
}

__attribute__((noinline)) void spin_outer(unsigned long n)
{
	sink = spin_inner(n, sink);
}

int main(int argc, char **argv)
{
	struct timespec a, b, ca, cb;
	char c;
	int fd;

	if (argc != 3)
		return 2;
	printf("ready\n");
	fflush(stdout);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || read(fd, &c, 1) != 1)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	spin_outer(strtoul(argv[1], NULL, 10));
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* CPU seconds, then wall seconds */
	printf("%.6f ", (double)(cb.tv_sec - ca.tv_sec) + (double)(cb.tv_nsec - ca.tv_nsec) / 1e9);
	printf("%.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
EOF
gcc -O2 -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/spin" "$work/spin.c" ||
	exit 1
mkfifo "$work/go"

# spin_start: start the workload on CPU, waiting for its start signal; its PID in $spinner.
spin_start() {
	local i
	: >"$work/spin.out"
	taskset -c "$CPU" "$work/spin" "$ITERS" "$work/go" >"$work/spin.out" &
	spinner=$!
	for ((i = 0; i < 100; i++)); do
		grep -q ready "$work/spin.out" && return 0
		sleep 0.05
	done
	return 1
}
# spin_run: let the workload go and wait for it; the CPU and wall seconds it took are in
# $cpu_s and $secs.
spin_run() {
	echo >"$work/go"
	wait "$spinner"
	spinner=""
	read -r cpu_s secs <<<"$(tail -1 "$work/spin.out")"
	[[ $cpu_s =~ ^[0-9.]+$ && $secs =~ ^[0-9.]+$ ]]
}
# start VARIANT: attach that tracer to $spinner (none: nothing) and wait until it samples.
start() {
	local v=$1
	: >"$work/err"
	case "$v" in
	none) return 0 ;;
	ktop-*)
		taskset -c "$TRACER_CPU" "$KTOP" -b -P stacks -p "$spinner" -F "${v#ktop-}" -d 1 \
			-f json --unwind fp >"$work/out" 2>"$work/err" &
		;;
	bpftrace-*)
		taskset -c "$TRACER_CPU" bpftrace -e \
			"profile:hz:${v#bpftrace-} /pid == $spinner/ { @[tid, kstack, ustack] = count(); }" \
			>/dev/null 2>"$work/err" &
		;;
	esac
	tracer=$!
	bench_wait_attached "$tracer" stacks_overhead.sh
}
# stop: detach the running tracer, if any.
stop() {
	[ -n "$tracer" ] || return 0
	kill -INT "$tracer"
	wait "$tracer" 2>/dev/null
	tracer=""
}
# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/"$1"/stat 2>/dev/null || echo 0
}

echo "# on-CPU sampling overhead: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r)," \
	"$(nproc) CPUs, $($KTOP --version 2>/dev/null | head -1), $(bpftrace --version)"
echo "# workload: $ITERS multiply-add steps on CPU $CPU, tracers on CPU $TRACER_CPU, $ROUNDS" \
	"rounds; load average" \
	"$(cut -d' ' -f1-3 /proc/loadavg) at the start"
spin_start && spin_run # warm

variants=(none ktop-99 bpftrace-99 ktop-999 bpftrace-999)
: >"$work/results"
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#variants[@]}; k++)); do
		v=${variants[$(((k + r) % ${#variants[@]}))]}
		spin_start || { echo "stacks_overhead.sh: the workload did not start" >&2; exit 1; }
		start "$v" || exit 1
		spin_run || { echo "stacks_overhead.sh: the workload failed" >&2; exit 1; }
		stop
		echo "$v $cpu_s $secs" >>"$work/results"
		printf 'round %d  %-12s %8.3f s CPU  %8.3f s wall\n' "$((r + 1))" "$v" "$cpu_s" "$secs"
	done
done
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"

python3 - "$work/results" <<'PY'
import statistics, sys
t, w = {}, {}
for line in open(sys.argv[1]):
    v, x, y = line.split()
    t.setdefault(v, []).append(float(x))
    w.setdefault(v, []).append(float(y))
med = {v: statistics.median(x) for v, x in t.items()}
print()
print(f"{'variant':13} {'CPU s':>8} {'min':>7} {'max':>7} {'wall s':>7} {'vs none':>8} {'+ms':>7}"
      f" {'+%':>7}")
for v in ("none", "ktop-99", "bpftrace-99", "ktop-999", "bpftrace-999"):
    x = t[v]
    added = med[v] - med["none"]
    print(f"{v:13} {med[v]:8.3f} {min(x):7.3f} {max(x):7.3f} {statistics.median(w[v]):7.3f}"
          f" {med[v] / med['none']:8.4f} {added * 1000:7.1f} {100 * added / med['none']:7.3f}")
for hz in ("99", "999"):
    k, b = med[f"ktop-{hz}"] - med["none"], med[f"bpftrace-{hz}"] - med["none"]
    if k > 0 and b > 0:
        print(f"added time ktop / bpftrace at {hz:>3} Hz = {k / b:.3f}")
    else:
        print(f"added time ktop / bpftrace at {hz:>3} Hz = n/a (below the noise: ktop"
              f" {k * 1000:+.1f} ms, bpftrace {b * 1000:+.1f} ms)")
PY

[ "$BPF_STATS" = 1 ] || exit 0
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
echo
echo "in-kernel BPF time per sample (kernel.bpf_stats_enabled=1, one run each):"
for v in ktop-99 bpftrace-99 ktop-999 bpftrace-999; do
	spin_start || exit 1
	start "$v" || exit 1
	bench_prog_stats "$tracer" >"$work/before"
	t0=$(cpu_ticks "$tracer")
	spin_run || exit 1
	t1=$(cpu_ticks "$tracer")
	bench_prog_stats "$tracer" >"$work/after"
	sleep 1.2 # ktop: one more snapshot, for its drop counters
	stop
	python3 - "$v" "$secs" "$((t1 - t0))" "$(getconf CLK_TCK)" "$work/before" "$work/after" \
		"$work/out" <<'PY'
import json, sys
v, secs, ticks, tck = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
read = lambda f: {r[0]: r[1:] for r in (l.split() for l in open(f)) if r}
before, after = read(sys.argv[5]), read(sys.argv[6])
rows = [(n, int(t) - int(before[i][1]), int(c) - int(before[i][2]))
        for i, (n, t, c) in after.items() if i in before]
# ktop's sampler by its name (its Off-CPU side's sched_switch program runs more often);
# bpftrace's is the program that runs most.
mine = [r for r in rows if r[0] == "stacks_sample"]
n, t, c = mine[0] if mine else max(rows, key=lambda r: r[2])
extra = ""
if v.startswith("ktop"):
    lines = [l for l in open(sys.argv[7]) if l.startswith("{")]
    if lines:
        d = json.loads(lines[-1]).get("drops", {})
        nz = ", ".join(f"{k} {x}" for k, x in d.items() if x)
        extra = f"  drops: {nz}" if nz else "  drops: none"
print(f"{v:13} {n:16} {t / c if c else 0:6.0f} ns/sample  x{c:<7} ({c / secs:6.0f}/s)"
      f"  {100 * t / secs / 1e9:6.3f}% of a CPU in BPF"
      f"  user space {100 * ticks / tck / secs:5.2f}% of a CPU{extra}")
PY
done
