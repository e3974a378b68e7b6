#!/usr/bin/env bash
# What the Overview's sched collector costs each context switch, reported (never asserted).
#  1. `perf bench sched pipe -l LOOPS` (default 1000000), pinned with taskset to CPU (default
#     0): every operation is two voluntary context switches and two wakeups, each running the
#     tracers' sched_switch and sched_wakeup programs once, with
#       none             nothing attached
#       overview         `ktop -b -P overview -d 1 -f json` (to a file)
#       overview+offcpu  that and `ktop -b -P offcpu -d 1 -f json --unwind fp` at once
#       offcputime       libbpf-tools `offcputime` (all threads, user + kernel stacks)
#       runqlat          libbpf-tools `runqlat` (run-queue latency histogram)
#     Each round runs every variant once, in an order that rotates from round to round, for
#     ROUNDS rounds (default 5). The report gives perf's usecs/op per variant (median, min,
#     max), the time each adds per operation (variant - none), and the ratios of added time
#     overview / offcputime, overview+offcpu / offcputime and overview / runqlat.
#  2. Unless BPF_STATS=0, one more run of the overview with kernel.bpf_stats_enabled=1
#     (restored on exit): the ns per run of each of its programs during the perf run (the
#     tracepoint dispatch around them is not counted; part 1 includes it), and its drops.
# Needs root. Usage: bench/overview_overhead.sh   (KTOP=path, LOOPS, ROUNDS, CPU, BPF_STATS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
LOOPS=${LOOPS:-1000000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-0}
BPF_STATS=${BPF_STATS:-1}

[ "$(id -u)" = 0 ] || { echo "overview_overhead.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "overview_overhead.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
for t in offcputime runqlat perf taskset; do
	command -v "$t" >/dev/null || { echo "overview_overhead.sh: needs $t" >&2; exit 2; }
done

. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
tracers=()
stats_was=""

# stop: detach the running tracers (offcputime and runqlat print their maps first).
stop() {
	local t
	for t in "${tracers[@]}"; do kill -INT "$t" 2>/dev/null; done
	for t in "${tracers[@]}"; do wait "$t" 2>/dev/null; done
	tracers=()
}
cleanup() {
	stop
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$work"
}
trap cleanup EXIT

# launch COMMAND...: start one tracer in the background and wait until it has attached.
launch() {
	: >"$work/err"
	"$@" >"$work/out.$#.${#tracers[@]}" 2>"$work/err" &
	tracers+=($!)
	bench_wait_attached "$!" overview_overhead.sh
}
# start VARIANT: attach that variant's tracers (none: nothing).
start() {
	case "$1" in
	none) return 0 ;;
	overview) launch "$KTOP" -b -P overview -d 1 -f json ;;
	overview+offcpu)
		launch "$KTOP" -b -P overview -d 1 -f json &&
			launch "$KTOP" -b -P offcpu -d 1 -f json --unwind fp
		;;
	offcputime) launch offcputime ;;
	runqlat) launch runqlat ;;
	esac
}
# workload: perf's usecs/op for LOOPS pipe round trips on CPU.
workload() {
	taskset -c "$CPU" perf bench sched pipe -l "$LOOPS" 2>&1 | awk '/usecs\/op/ { print $1 }'
}

echo "# overview overhead: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$($KTOP --version | head -1), $(dpkg-query -W -f='libbpf-tools ${Version}' libbpf-tools)," \
	"$(perf --version)"
echo "# taskset -c $CPU perf bench sched pipe -l $LOOPS, $ROUNDS rounds; load average" \
	"$(cut -d' ' -f1-3 /proc/loadavg) at the start"
workload >/dev/null # warm

variants=(none overview overview+offcpu offcputime runqlat)
: >"$work/results"
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#variants[@]}; k++)); do
		v=${variants[$(((k + r) % ${#variants[@]}))]}
		start "$v" || exit 1
		us=$(workload)
		stop
		[ -n "$us" ] || { echo "overview_overhead.sh: perf bench failed" >&2; exit 1; }
		echo "$v $us" >>"$work/results"
		printf 'round %d  %-16s %8.3f usecs/op\n' "$((r + 1))" "$v" "$us"
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
print(f"{'variant':16} {'usecs/op':>9} {'min':>7} {'max':>7} {'vs none':>8} {'+ns/op':>7}"
      f" {'+ns/switch':>10}")
for v in ("none", "overview", "overview+offcpu", "offcputime", "runqlat"):
    x = us[v]
    added = (med[v] - med["none"]) * 1000
    print(f"{v:16} {med[v]:9.3f} {min(x):7.3f} {max(x):7.3f} {med[v] / med['none']:8.3f}"
          f" {added:7.0f} {added / 2:10.0f}")
add = lambda v: med[v] - med["none"]
for a, b in (("overview", "offcputime"), ("overview+offcpu", "offcputime"),
             ("overview", "runqlat")):
    if add(b) > 0:
        print(f"added time {a} / {b} = {add(a) / add(b):.3f}")
    else:
        print(f"added time {a} / {b} = n/a ({b} added nothing measurable)")
PY

[ "$BPF_STATS" = 1 ] || exit 0
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
echo
echo "in-kernel BPF time per run (kernel.bpf_stats_enabled=1, one perf run):"
start overview || exit 1
bench_prog_stats "${tracers[0]}" >"$work/before"
workload >/dev/null
bench_prog_stats "${tracers[0]}" >"$work/after"
sleep 1.2 # one more snapshot, for the drop counters
out=$(ls "$work"/out.* | head -1)
stop
python3 - "$LOOPS" "$work/before" "$work/after" "$out" <<'PY'
import json, sys
loops = int(sys.argv[1])
read = lambda f: {r[0]: r[1:] for r in (l.split() for l in open(f)) if r}
before, after = read(sys.argv[2]), read(sys.argv[3])
for i, (n, t, c) in after.items():
    if i not in before:
        continue
    dt, dc = int(t) - int(before[i][1]), int(c) - int(before[i][2])
    print(f"  {n:20} {dt / dc if dc else 0:6.0f} ns/run  x{dc}")
lines = [l for l in open(sys.argv[4]) if l.startswith("{")]
if lines:
    d = json.loads(lines[-1])["drops"]
    print("  drops: " + (", ".join(f"{k} {v}" for k, v in d.items() if v) or "none"))
PY
