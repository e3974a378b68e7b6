#!/usr/bin/env bash
# What tracing block I/O costs the traced workload, reported (never asserted): the IOPS of
# COUNT (default 100000) direct 4 KiB writes, `dd bs=4k oflag=direct` pinned with taskset to
# CPU (default 1) and, unless RT=0, run SCHED_FIFO so that other users' CPU-bound jobs cannot
# preempt it, to a loop device whose backing file is on tmpfs (no writeback noise), with
#   none      nothing attached
#   ktop      ktop's bio collector (`ktop -b -P bio -d 1 -f json`, output to /dev/null)
#   biolat    libbpf-tools `biolatency -D 1` (2 programs: issue, complete)
#   biolat-Q  libbpf-tools `biolatency -D -Q 1` (adds insert: like ktop, it times the queue too)
# Each round runs every variant once, in an order that rotates from round to round, for ROUNDS
# rounds (default 5; 0 skips this part), so that drift spreads evenly; IOPS come from dd's own
# elapsed time: the shortest of BURSTS (default 1) dd runs while the variant is attached, since
# other load can only make a run slower. The report gives the median IOPS per variant, its
# ratio to none, the time each write gained (1/IOPS - 1/IOPS_none), also between the fastest
# runs of all ("at max", the least disturbed), and, paired by round, the ratio of ktop's IOPS
# to each other variant's: its median, a 95% interval for that median (order statistics) and
# a sign test of how often ktop was the faster.
# Then, for STATS_ROUNDS rounds (default 5; 0 skips), one dd per tracer, again in rotating
# order, with kernel.bpf_stats_enabled=1 (restored afterwards), gives each tool's in-kernel run
# time per completed request during the dd: the rise of the sum of its programs' run_time_ns
# over the rise of its completion program's run_cnt. Other disks' I/O in that time is included,
# alike for every tool, and so is the kernel's own timing of each program run. Each tool first
# sees WARM (default 2000) writes, so that the figure is the steady state a long-running tracer
# costs, not the creation of its map entries. This figure is much less sensitive to other load
# than IOPS. KTOP_REF, the path of another ktop build, adds it to this part as ktop-ref.
# Needs root. Usage: bench/bio_overhead.sh
#   (environment: KTOP, KTOP_REF, COUNT, ROUNDS, BURSTS, STATS_ROUNDS, WARM, CPU, RT)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
COUNT=${COUNT:-100000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-1}
STATS_ROUNDS=${STATS_ROUNDS:-5}
KTOP_REF=${KTOP_REF:-}
RT=${RT:-1}
BURSTS=${BURSTS:-1}
WARM=${WARM:-2000}

[ "$(id -u)" = 0 ] || { echo "bio_overhead.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "bio_overhead.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
command -v biolatency >/dev/null || { echo "bio_overhead.sh: needs biolatency" >&2; exit 2; }

. "$top/bench/lib.sh"
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
img=/dev/shm/ktop-bench-$$.img
loop=""
tracer=""
stats_was=""

cleanup() {
	if [ -n "$tracer" ]; then
		kill -INT "$tracer" 2>/dev/null
		wait "$tracer" 2>/dev/null
	fi
	[ -n "$stats_was" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -f "$img"
	rm -rf "$work"
}
trap cleanup EXIT

# start VARIANT: attach that tracer (none: nothing) and wait until it traces.
start() {
	: >"$work/out"
	case "$1" in
	none) return 0 ;;
	ktop) "$KTOP" -b -P bio -d 1 -f json >/dev/null 2>"$work/out" & ;;
	ktop-ref) "$KTOP_REF" -b -P bio -d 1 -f json >/dev/null 2>"$work/out" & ;;
	biolat) stdbuf -oL biolatency -D 1 >"$work/out" 2>&1 & ;;
	biolat-Q) stdbuf -oL biolatency -D -Q 1 >"$work/out" 2>&1 & ;;
	esac
	tracer=$!
	case "$1" in
	ktop*) bench_wait_line "$work/out" "ktop: bio: tracing with" bio_overhead.sh ;;
	*) bench_wait_line "$work/out" "Tracing block device I/O" bio_overhead.sh ;;
	esac
}
# stop: detach the running tracer, if any.
stop() {
	[ -n "$tracer" ] || return 0
	kill -INT "$tracer"
	wait "$tracer" 2>/dev/null
	tracer=""
}
# workload: COUNT direct 4 KiB writes; prints dd's elapsed seconds.
workload() {
	$rt taskset -c "$CPU" dd if=/dev/zero of="$loop" bs=4k count="$COUNT" oflag=direct 2>&1 |
		awk '/copied/ { for (i = 1; i < NF; i++) if ($(i + 1) == "s,") print $i }'
}

rt=""
[ "$RT" = 1 ] && rt="chrt -f 10" # SCHED_FIFO: other users' CPU-bound jobs cannot preempt dd
truncate -s 512M "$img"
loop=$(losetup -f --show "$img") || exit 1
echo "# bio overhead: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$($KTOP --version | head -1), $(dpkg-query -W -f='libbpf-tools ${Version}' libbpf-tools)"
echo "# $COUNT x 4 KiB O_DIRECT writes to $loop (backing file on tmpfs), dd on CPU $CPU" \
	"${rt:+under $rt}, $ROUNDS IOPS rounds of the best of $BURSTS, $STATS_ROUNDS bpf_stats rounds"
echo "# load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c "$CPU" dd if=/dev/zero of="$loop" bs=4k count="$COUNT" oflag=direct status=none # warm

variants=(none ktop biolat biolat-Q)
: >"$work/results"
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#variants[@]}; k++)); do
		v=${variants[$(((k + r) % ${#variants[@]}))]}
		start "$v" || exit 1
		# The fastest of BURSTS dd runs: other load only ever adds time.
		secs=$(for ((b = 0; b < BURSTS; b++)); do workload; done | sort -g | head -1)
		stop
		echo "$v $r $secs" >>"$work/results"
		printf 'round %d  %-9s %8.0f IOPS\n' "$((r + 1))" "$v" \
			"$(awk -v c="$COUNT" -v s="$secs" 'BEGIN { print c / s }')"
	done
done

[ "$ROUNDS" = 0 ] || python3 - "$work/results" "$COUNT" <<'PY'
import math, statistics, sys
count = int(sys.argv[2])
iops = {}  # variant -> {round: IOPS}
for line in open(sys.argv[1]):
    v, r, secs = line.split()
    iops.setdefault(v, {})[int(r)] = count / float(secs)
med = {v: statistics.median(x.values()) for v, x in iops.items()}
print()
best = {v: max(x.values()) for v, x in iops.items()}
print(f"{'variant':10} {'median IOPS':>12} {'min':>9} {'max':>9} {'vs none':>8} {'+us/write':>10}"
      f" {'at max':>7}")
for v in ("none", "ktop", "biolat", "biolat-Q"):
    x = iops[v].values()
    added = (1 / med[v] - 1 / med["none"]) * 1e6
    added_best = (1 / best[v] - 1 / best["none"]) * 1e6
    print(f"{v:10} {med[v]:12.0f} {min(x):9.0f} {max(x):9.0f} {med[v] / med['none']:8.3f}"
          f" {added:10.2f} {added_best:7.2f}")

def paired(a, b):
    """Per-round IOPS ratios a/b: median, a 95% interval from order statistics, sign test."""
    ratios = sorted(iops[a][r] / iops[b][r] for r in iops[a] if r in iops[b])
    n = len(ratios)
    tail = lambda k: sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n  # P(X <= k)
    k = max([j for j in range(n // 2) if tail(j) <= 0.025], default=-1)
    ci = f"[{ratios[k]:.3f}, {ratios[n - 1 - k]:.3f}]" if k >= 0 else "(too few rounds)"
    wins = sum(x > 1 for x in ratios)
    p = min(1.0, 2 * tail(min(wins, n - wins)))
    print(f"{a + ' / ' + b:18} median {statistics.median(ratios):.3f}, 95% interval {ci},"
          f" {a} faster in {wins} of {n} rounds (sign test p = {p:.3f})")

print("paired by round (each ratio from runs next to each other in time):")
for b in ("none", "biolat", "biolat-Q"):
    paired("ktop", b)
PY
[ "$ROUNDS" = 0 ] || echo "# load average after the IOPS rounds: $(cut -d' ' -f1-3 /proc/loadavg)"

[ "$STATS_ROUNDS" -gt 0 ] || exit 0
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
echo
echo "in-kernel BPF time per completed request (kernel.bpf_stats_enabled=1, $STATS_ROUNDS rounds):"
tracers=(ktop biolat biolat-Q)
[ -n "$KTOP_REF" ] && tracers+=(ktop-ref)
: >"$work/stats"
for ((r = 0; r < STATS_ROUNDS; r++)); do
	for ((k = 0; k < ${#tracers[@]}; k++)); do
		v=${tracers[$(((k + r) % ${#tracers[@]}))]}
		start "$v" || exit 1
		# Steady state: each tool's first requests create its map entries.
		COUNT=$WARM workload >/dev/null
		bench_prog_stats "$tracer" >"$work/before"
		workload >/dev/null
		bench_prog_stats "$tracer" >"$work/after"
		stop
		# One line per program: "tracer round name run_time_ns_delta run_cnt_delta".
		awk -v v="$v" -v r="$r" 'NR == FNR { t[$1] = $3; c[$1] = $4; next }
			{ print v, r, $2, $3 - t[$1], $4 - c[$1] }' "$work/before" "$work/after" \
			>>"$work/stats"
		awk -v v="$v" -v r="$r" '$1 == v && $2 == r { t += $4; if ($3 ~ /cmpl|complete/) c = $5 }
			END { if (c) printf "round %d  %-9s %5.0f ns per completion\n", r + 1, v, t / c }' \
			"$work/stats"
	done
done
python3 - "$work/stats" <<'PY'
import statistics, sys
runs = {}  # (tracer, round) -> [(prog, ns, count)]
for line in open(sys.argv[1]):
    v, r, name, ns, cnt = line.split()
    runs.setdefault((v, r), []).append((name, int(ns), int(cnt)))
per_req, per_prog = {}, {}
for (v, r), progs in runs.items():
    done = [c for n, _, c in progs if "cmpl" in n or "complete" in n]
    if not done or not done[0]:
        print(f"{v} round {int(r) + 1}: no completions counted, run left out: {progs}")
        continue
    per_req.setdefault(v, []).append(sum(t for _, t, _ in progs) / done[0])
    for n, t, c in progs:
        if c:
            per_prog.setdefault(v, {}).setdefault(n, []).append((t / c, c))
print(f"{'tracer':9} {'median ns':>9} {'min':>5} {'max':>5}  median ns per program run"
      " (runs per dd)")
for v in sorted(per_req, key=("ktop", "biolat", "biolat-Q", "ktop-ref").index):
    x = per_req[v]
    progs = ", ".join(f"{n} {statistics.median(t for t, _ in l):.0f}"
                      f" x{statistics.median(c for _, c in l):.0f}" for n, l in per_prog[v].items())
    print(f"{v:9} {statistics.median(x):9.0f} {min(x):5.0f} {max(x):5.0f}  {progs}")
med = {v: statistics.median(x) for v, x in per_req.items()}
for v in ("biolat", "biolat-Q", "ktop-ref"):
    if v in med:
        print(f"ktop / {v:8} = {med['ktop'] / med[v]:.3f}")
PY
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
