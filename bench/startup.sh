#!/usr/bin/env bash
# ktop's own cost, reported (never asserted):
#  1. Time to first snapshot: RUNS times (default 10), exec `ktop -b -P bio -d 0.1 -n 1 -f json`
#     and time, from just before exec, (a) the stderr line "ktop: bio: tracing with ..." (BPF
#     loaded and attached, timer armed) and (b) the first JSON line on stdout minus the 0.1 s
#     interval. Reports median, min and max of both.
#  2. ktop's CPU and memory at a 1 s refresh: ktop runs for DURATION seconds (default 60) in
#     batch mode (-b -f json to /dev/null) and in the full-screen UI (inside a detached tmux,
#     120x40), each once idle and once while a loop of `dd bs=4k count=2000 oflag=direct`
#     writes to a loop device. CPU% is ktop's on-CPU time over the run, after a 2 s warm-up,
#     divided by the wall time (100% = one core), from /proc/PID/schedstat (ns) and, in
#     brackets, from utime + stime in /proc/PID/stat (10 ms ticks); max RSS is VmHWM from
#     /proc/PID/status at the end. The I/O rate the whole machine completed meanwhile (from
#     /proc/diskstats) is printed beside it, since ktop traces every disk.
# Needs root. Usage: bench/startup.sh   (KTOP=path, RUNS=10, DURATION=60 to change)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
RUNS=${RUNS:-10}
DURATION=${DURATION:-60}
WARMUP=2

[ "$(id -u)" = 0 ] || { echo "startup.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "startup.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }

work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
sock="ktop-bench-$$"
loop=""
writer=""
ktop_pid=""

cleanup() {
	[ -n "$ktop_pid" ] && kill "$ktop_pid" 2>/dev/null
	if [ -n "$writer" ]; then
		kill "$writer" 2>/dev/null
		wait "$writer" 2>/dev/null
	fi
	tmux -L "$sock" kill-server 2>/dev/null
	wait 2>/dev/null
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

echo "# ktop startup and self-cost: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r)," \
	"$(nproc) CPUs, $($KTOP --version | head -1)"

# --- 1. time to first snapshot --------------------------------------------------------------
python3 - "$KTOP" "$RUNS" <<'PY'
import statistics, subprocess, sys, time
ktop, runs = sys.argv[1], int(sys.argv[2])
interval = 0.1
attach, first = [], []
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen([ktop, "-b", "-P", "bio", "-d", str(interval), "-n", "1", "-f", "json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    t_attach = time.perf_counter() - t0
    out = p.stdout.readline()
    t_first = time.perf_counter() - t0 - interval
    p.communicate()
    if p.returncode != 0 or "tracing with" not in line or not out.startswith("{"):
        sys.exit(f"ktop failed: rc={p.returncode} stderr={line!r}")
    attach.append(t_attach * 1000)
    first.append(t_first * 1000)
fmt = lambda v: f"median {statistics.median(v):6.1f} ms  (min {min(v):.1f}, max {max(v):.1f})"
print(f"exec to attach line ({runs} runs):                  {fmt(attach)}")
print(f"exec to first snapshot, minus the 0.1 s interval: {fmt(first)}")
PY

# --- 2. CPU and RSS at -d 1 ---------------------------------------------------------------
hz=$(getconf CLK_TCK)
# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# ios_done: I/Os completed by every disk so far (reads, writes, discards, flushes).
ios_done() { cat /sys/block/*/stat | awk '{ s += $1 + $5 + $12 + $16 } END { print s }'; }
# run_ns PID: on-CPU time of PID in ns (schedstat: finer than the 10 ms ticks of stat).
run_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
# measure LABEL: sample ktop_pid over DURATION s after the warm-up; one result line.
measure() {
	local label=$1 t0 t1 c0 c1 n0 n1 i0 i1 hwm
	sleep "$WARMUP"
	t0=$(date +%s.%N)
	c0=$(cpu_ticks "$ktop_pid")
	n0=$(run_ns "$ktop_pid")
	i0=$(ios_done)
	sleep "$DURATION"
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$ktop_pid") || { echo "$label: ktop exited early"; return 1; }
	n1=$(run_ns "$ktop_pid")
	i1=$(ios_done)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ktop_pid/status")
	awk -v l="$label" -v c=$((c1 - c0)) -v n=$((n1 - n0)) -v hz="$hz" -v t0="$t0" \
		-v t1="$t1" -v h="$hwm" -v io=$((i1 - i0)) 'BEGIN {
		t = t1 - t0
		printf "%-15s CPU %5.3f%% of a core (stat: %4.2f%%)  max RSS %5.1f MB  machine %6.0f IOPS\n",
			l, 100 * n / 1e9 / t, 100 * c / hz / t, h / 1024, io / t }'
}
# run_batch LABEL: ktop in batch mode, measured, then stopped.
run_batch() {
	"$KTOP" -b -P bio -d 1 -f json >/dev/null 2>"$work/err" &
	ktop_pid=$!
	measure "$1"
	kill "$ktop_pid"
	wait "$ktop_pid" 2>/dev/null
	ktop_pid=""
}
# run_ui LABEL: ktop's full-screen UI in a detached tmux, measured, then quit with q.
run_ui() {
	tmux -L "$sock" -f /dev/null new-session -d -s b -x 120 -y 40 \
		"exec env TERM=screen-256color LANG=C.UTF-8 $KTOP -d 1"
	ktop_pid=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
	measure "$1"
	tmux -L "$sock" send-keys -t b q
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$ktop_pid" 2>/dev/null || break; sleep 0.2; done
	tmux -L "$sock" kill-server 2>/dev/null
	ktop_pid=""
}

echo "over ${DURATION} s at -d 1 (after a ${WARMUP} s warm-up):"
run_batch "batch, idle"
run_ui "UI, idle"

truncate -s 256M /dev/shm/ktop-bench-$$.img
loop=$(losetup -f --show /dev/shm/ktop-bench-$$.img) || exit 1
rm -f /dev/shm/ktop-bench-$$.img # the loop device keeps it
(
	trap 'exit 0' TERM
	while :; do dd if=/dev/zero of="$loop" bs=4k count=2000 oflag=direct status=none; done
) &
writer=$!
run_batch "batch, dd loop"
run_ui "UI, dd loop"
