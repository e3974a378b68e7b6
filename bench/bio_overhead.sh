#!/usr/bin/env bash
# What tracing block I/O costs the traced workload, reported (never asserted): the IOPS of
# COUNT (default 100000) direct 4 KiB writes, `dd bs=4k oflag=direct` pinned with taskset to
# CPU (default 1), to a loop device whose backing file is on tmpfs (no writeback noise), with
#   none      nothing attached
#   ktop      ktop's bio collector (`ktop -b -P bio -d 1 -f json`, output to /dev/null)
#   biolat    libbpf-tools `biolatency -D 1` (2 programs: issue, complete)
#   biolat-Q  libbpf-tools `biolatency -D -Q 1` (adds insert: like ktop, it times the queue too)
# Each round runs every variant once, in an order that rotates from round to round, for ROUNDS
# rounds (default 5), so that drift spreads evenly; IOPS come from dd's own elapsed time. The
# report gives the median IOPS per variant, the ratios to none and ktop/biolat, and the added
# time per write (1/IOPS - 1/IOPS_none).
# Then, unless BPF_STATS=0, one more run per tracer with kernel.bpf_stats_enabled=1 (restored
# afterwards) gives each tool's in-kernel run time per completed request during the dd (the
# rise of the sum of its programs' run_time_ns over the rise of its completion program's
# run_cnt; other disks' I/O in that time is included, alike for every tool), a figure much
# less sensitive to other load than IOPS.
# Needs root. Usage: bench/bio_overhead.sh   (KTOP=path, COUNT, ROUNDS, CPU to change)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
COUNT=${COUNT:-100000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-1}
BPF_STATS=${BPF_STATS:-1}

[ "$(id -u)" = 0 ] || { echo "bio_overhead.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "bio_overhead.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
command -v biolatency >/dev/null || { echo "bio_overhead.sh: needs biolatency" >&2; exit 2; }

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

# wait_line FILE TEXT: poll up to 15 s for TEXT in FILE.
wait_line() {
	local i
	for ((i = 0; i < 150; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bio_overhead.sh: no '$2' in $1: $(head -3 "$1")" >&2
	return 1
}
# start VARIANT: attach that tracer (none: nothing) and wait until it traces.
start() {
	: >"$work/out"
	case "$1" in
	none) return 0 ;;
	ktop) "$KTOP" -b -P bio -d 1 -f json >/dev/null 2>"$work/out" & ;;
	biolat) stdbuf -oL biolatency -D 1 >"$work/out" 2>&1 & ;;
	biolat-Q) stdbuf -oL biolatency -D -Q 1 >"$work/out" 2>&1 & ;;
	esac
	tracer=$!
	case "$1" in
	ktop) wait_line "$work/out" "ktop: bio: tracing with" ;;
	*) wait_line "$work/out" "Tracing block device I/O" ;;
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
	taskset -c "$CPU" dd if=/dev/zero of="$loop" bs=4k count="$COUNT" oflag=direct 2>&1 |
		awk '/copied/ { for (i = 1; i < NF; i++) if ($(i + 1) == "s,") print $i }'
}
# prog_stats PID: "id name run_time_ns run_cnt" of each BPF program PID holds.
prog_stats() {
	local id
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u |
		while read -r id; do
			bpftool -j prog show id "$id" | python3 -c 'import json, sys
p = json.load(sys.stdin)
print(p["id"], p.get("name", "?"), p.get("run_time_ns", 0), p.get("run_cnt", 0))'
		done
}

truncate -s 512M "$img"
loop=$(losetup -f --show "$img") || exit 1
echo "# bio overhead: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$($KTOP --version | head -1), $(dpkg-query -W -f='libbpf-tools ${Version}' libbpf-tools)"
echo "# $COUNT x 4 KiB O_DIRECT writes to $loop (backing file on tmpfs), dd on CPU $CPU," \
	"$ROUNDS rounds"
taskset -c "$CPU" dd if=/dev/zero of="$loop" bs=4k count="$COUNT" oflag=direct status=none # warm

variants=(none ktop biolat biolat-Q)
: >"$work/results"
for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#variants[@]}; k++)); do
		v=${variants[$(((k + r) % ${#variants[@]}))]}
		start "$v" || exit 1
		secs=$(workload)
		stop
		echo "$v $secs" >>"$work/results"
		printf 'round %d  %-9s %8.0f IOPS\n' "$((r + 1))" "$v" \
			"$(awk -v c="$COUNT" -v s="$secs" 'BEGIN { print c / s }')"
	done
done

python3 - "$work/results" "$COUNT" <<'PY'
import statistics, sys
count = int(sys.argv[2])
iops = {}
for line in open(sys.argv[1]):
    v, secs = line.split()
    iops.setdefault(v, []).append(count / float(secs))
med = {v: statistics.median(x) for v, x in iops.items()}
print()
print(f"{'variant':10} {'median IOPS':>12} {'min':>9} {'max':>9} {'vs none':>8} {'+us/write':>10}")
for v in ("none", "ktop", "biolat", "biolat-Q"):
    x = iops[v]
    added = (1 / med[v] - 1 / med["none"]) * 1e6
    print(f"{v:10} {med[v]:12.0f} {min(x):9.0f} {max(x):9.0f} {med[v] / med['none']:8.3f}"
          f" {added:10.2f}")
print(f"ktop / biolat   = {med['ktop'] / med['biolat']:.3f}")
print(f"ktop / biolat-Q = {med['ktop'] / med['biolat-Q']:.3f}")
PY

[ "$BPF_STATS" = 1 ] || exit 0
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
echo
echo "in-kernel BPF time per completed request (kernel.bpf_stats_enabled=1, one dd run each):"
for v in ktop biolat biolat-Q; do
	start "$v" || exit 1
	prog_stats "$tracer" >"$work/before"
	workload >/dev/null
	prog_stats "$tracer" >"$work/after"
	stop
	python3 - "$v" "$work/before" "$work/after" <<'PY'
import sys
v = sys.argv[1]
read = lambda f: {r[0]: r[1:] for r in (l.split() for l in open(f)) if r}
before, after = read(sys.argv[2]), read(sys.argv[3])
rows = [(n, int(t) - int(before[i][1]), int(c) - int(before[i][2]))
        for i, (n, t, c) in after.items()]
total = sum(t for _, t, _ in rows)
done = [c for n, _, c in rows if "cmpl" in n or "complete" in n]
per = ", ".join(f"{n} {t / c:.0f} ns x{c}" for n, t, c in rows if c)
if not done or not done[0]:
    sys.exit(f"{v}: no completion program among {[n for n, _, _ in rows]}")
print(f"{v:9} {total / done[0]:5.0f} ns per completion  ({per})")
PY
done
