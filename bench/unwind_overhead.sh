#!/usr/bin/env bash
# What DWARF unwinding costs against frame pointers, reported (never asserted).
#  1. Off-CPU with a PID filter: `perf bench sched pipe -T -l LOOPS` (two threads of one
#     process ping-ponging through a pipe on CPU, default 0: two context switches per
#     operation, each a block of a few microseconds that passes ktop's default 1 us minimum)
#     with nothing attached, with `ktop -P offcpu -p PERF --unwind fp`, and with `--unwind
#     dwarf` (what -p gives by default). perf starts only once ktop traces it (it waits on a
#     FIFO, then execs). Rounds rotate the order (ROUNDS, default 5); the report gives perf's
#     usecs/op (median, min, max), the time each mode adds per switch, and DWARF's added time
#     over frame pointers'. In DWARF mode every block that counts is copied at the return from
#     its system call, up to the per-CPU rate (500 a second): the copies sent and the blocks
#     over the rate (counted with frame pointers instead) are shown.
#  2. On-CPU: tests/bpf/burner.c built without frame pointers burns one CPU; `ktop -P stacks
#     -p BURNER -F HZ` (default 997) runs three DURATION-second intervals (default 10) with
#     --unwind fp and --unwind dwarf; over the second one (start-up excluded) the report gives
#     ktop's own CPU time (/proc/PID/schedstat), the samples of the interval, and samples
#     named (and, in DWARF mode, unwound) per second of one core: samples / CPU seconds.
#  3. Unless BPF_STATS=0, both again with kernel.bpf_stats_enabled=1 (restored on exit): the
#     in-kernel ns per run of each program (sched_switch, sys_exit, the perf_event sampler).
# Needs root, perf, gcc. Usage: bench/unwind_overhead.sh  (KTOP, LOOPS, ROUNDS, CPU, HZ,
# DURATION, BPF_STATS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
LOOPS=${LOOPS:-500000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-0}
HZ=${HZ:-997}
DURATION=${DURATION:-10}
BPF_STATS=${BPF_STATS:-1}

[ "$(id -u)" = 0 ] || { echo "unwind_overhead.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "unwind_overhead.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
for t in perf taskset gcc python3 bpftool; do
	command -v "$t" >/dev/null || { echo "unwind_overhead.sh: needs $t" >&2; exit 2; }
done

. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
tracer=""
child=""
stats_was=""
cleanup() {
	[ -n "$tracer" ] && kill -INT "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
	[ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -g -fomit-frame-pointer -fno-optimize-sibling-calls -pthread -o "$work/burner" \
	"$top/tests/bpf/burner.c" || exit 1

# pipe_run MODE: one perf pipe run under MODE (none, fp, dwarf); prints usecs/op and, for
# ktop, its last drop counters and, with stats, its programs' figures.
pipe_run() {
	local mode=$1 fifo=$work/go pid us
	rm -f "$fifo"
	mkfifo "$fifo"
	bash -c 'read -r _ <"$1"; exec taskset -c "$2" perf bench sched pipe -T -l "$3"' _ \
		"$fifo" "$CPU" "$LOOPS" >"$work/perf.out" 2>&1 &
	pid=$!
	child=$pid
	: >"$work/err"
	if [ "$mode" != none ]; then
		"$KTOP" -b -P offcpu -p "$pid" -d 1 -f json --unwind "$mode" >"$work/ktop.json" \
			2>"$work/err" &
		tracer=$!
		bench_wait_attached "$tracer" unwind_overhead.sh || return 1
		bench_prog_stats "$tracer" >"$work/stats0"
	fi
	echo go >"$fifo"
	wait "$pid"
	child=""
	if [ -n "$tracer" ]; then
		bench_prog_stats "$tracer" >"$work/stats1"
		sleep 1.2 # one more snapshot with the last counters
		kill -INT "$tracer"
		wait "$tracer" 2>/dev/null
		tracer=""
	fi
	us=$(awk '/usecs\/op/ { print $1 }' "$work/perf.out")
	echo "$us"
}
# drops: the sent copies and the blocks over the rate from ktop's last snapshot.
drops() {
	tail -1 "$work/ktop.json" | python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
dr = d.get("drops", {})
print("over rate %d, lost %d, elsewhere %d" % (dr.get("stack_copies_over_rate", 0),
      dr.get("stack_copies_lost", 0), dr.get("blocks_left_elsewhere", 0)))'
}
# stats_diff: ns per run of each program between stats0 and stats1.
stats_diff() {
	python3 - "$work/stats0" "$work/stats1" <<'PY'
import sys
a = {l.split()[1]: l.split()[2:] for l in open(sys.argv[1]) if l.strip()}
out = []
for l in open(sys.argv[2]):
    if not l.strip():
        continue
    _, name, t, n = l.split()
    t0, n0 = (int(x) for x in a.get(name, ["0", "0"]))
    runs = int(n) - n0
    if runs:
        out.append(f"{name} {(int(t) - t0) / runs:.0f} ns x{runs}")
print(", ".join(out))
PY
}

echo "# DWARF vs frame pointers: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r)," \
	"$(nproc) CPUs, $($KTOP --version | head -1), $(perf --version)"
echo "# 1. taskset -c $CPU perf bench sched pipe -T -l $LOOPS, ktop -P offcpu -p PERF," \
	"$ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
modes=(none fp dwarf)
: >"$work/results"
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < 3; k++)); do
		m=${modes[$(((k + r) % 3))]}
		us=$(pipe_run "$m") || exit 1
		[ -n "$us" ] || { echo "unwind_overhead.sh: perf failed: $(cat "$work/perf.out")" >&2; exit 1; }
		echo "$m $us" >>"$work/results"
		extra=""
		[ "$m" = dwarf ] && extra="  ($(drops))"
		printf 'round %d  %-6s %8.3f usecs/op%s\n' "$((r + 1))" "$m" "$us" "$extra"
	done
done
python3 - "$work/results" <<'PY'
import statistics, sys
us = {}
for line in open(sys.argv[1]):
    m, x = line.split()
    us.setdefault(m, []).append(float(x))
med = {m: statistics.median(x) for m, x in us.items()}
print(f"\n{'mode':6} {'usecs/op':>9} {'min':>7} {'max':>7} {'+ns/switch':>10}")
for m in ("none", "fp", "dwarf"):
    print(f"{m:6} {med[m]:9.3f} {min(us[m]):7.3f} {max(us[m]):7.3f}"
          f" {(med[m] - med['none']) * 500:10.0f}")
fp, dw = med["fp"] - med["none"], med["dwarf"] - med["none"]
print(f"added time dwarf / fp = {dw / fp:.2f}" if fp > 0 else "added time dwarf / fp = n/a")
PY

echo
echo "# 2. burner without frame pointers, ktop -P stacks -p BURNER -F $HZ for $DURATION s"
for m in fp dwarf; do
	"$work/burner" $((3 * DURATION + 5)) >"$work/burner.out" &
	child=$!
	sleep 0.3
	python3 - "$KTOP" "$child" "$HZ" "$DURATION" "$m" <<'PY'
import json, subprocess, sys
ktop, pid, hz, secs, mode = sys.argv[1:]
p = subprocess.Popen([ktop, "-b", "-P", "stacks", "-p", pid, "-F", hz, "-d", secs, "-n", "3",
                      "-f", "json", "--unwind", mode], stdout=subprocess.PIPE, text=True,
                     stderr=subprocess.DEVNULL)
def cpu():  # ktop is one thread: its time on a CPU, in ns resolution
    return int(open(f"/proc/{p.pid}/schedstat").read().split()[0]) / 1e9
p.stdout.readline()
c0 = cpu()
d = json.loads(p.stdout.readline())
c1 = cpu()
p.wait()
samples = sum(s.get("count", 0) for s in d.get("oncpu", []))
used = c1 - c0
print(f"{mode:6} ktop CPU {1000 * used:7.1f} ms over {secs} s"
      f" ({100 * used / float(secs):5.2f}% of a core)"
      f"  samples {samples:6d}  -> {samples / used if used else float('inf'):8.0f} samples per"
      f" CPU second  unwinding: {d.get('unwinding', '?')}")
PY
	kill "$child" 2>/dev/null
	wait "$child" 2>/dev/null
	child=""
done

[ "$BPF_STATS" = 1 ] || exit 0
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
echo
echo "# 3. in-kernel BPF time per run (kernel.bpf_stats_enabled=1)"
for m in fp dwarf; do
	pipe_run "$m" >/dev/null || exit 1
	echo "offcpu -p perf, $m: $(stats_diff)"
done
for m in fp dwarf; do
	"$work/burner" 8 >"$work/burner.out" &
	child=$!
	sleep 0.3
	"$KTOP" -b -P stacks -p "$child" -F "$HZ" -d 1 -f json --unwind "$m" >/dev/null \
		2>"$work/err" &
	tracer=$!
	bench_wait_attached "$tracer" unwind_overhead.sh || exit 1
	bench_prog_stats "$tracer" >"$work/stats0"
	sleep 5
	bench_prog_stats "$tracer" >"$work/stats1"
	kill -INT "$tracer"
	wait "$tracer" 2>/dev/null
	tracer=""
	kill "$child" 2>/dev/null
	wait "$child" 2>/dev/null
	child=""
	echo "stacks -p burner -F $HZ, $m: $(stats_diff)"
done
