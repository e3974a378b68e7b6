#!/usr/bin/env bash
# What a recording (-w) costs, reported (never asserted).
#  1. Idle: `ktop -b -P overview -f json -d 1 -n DURATION -w FILE` (default 60 s). Bytes per
#     interval and per hour of the file; the CPU ktop spent recording (the exports of every
#     panel, zstd and the write: ktop's own count, logged at exit through KTOP_LOG) per second;
#     and ktop's whole CPU (user + system, from getrusage) with -w (every collector runs) and
#     without it (the Overview's collector only), both per second.
#  2. Under load: the same while a loop of `perf bench sched messaging -g 10 -l 20` runs (the
#     load of bench/offcpu_refresh.sh: new processes and stacks all the time).
#  3. Jumping: a 1-hour file (3600 intervals at 1 s) made from part 1's frames, each written
#     again with its own time (with the index frames and the end frame ktop writes, and a copy
#     cut before its last interval's index, as SIGKILL leaves it, which is read by scanning).
#     The wall time of `ktop -r FILE -b -P overview -f json --from +30m -n 1` (open, find the
#     middle, decompress and print one interval): median, min and max of RUNS (default 5).
#  4. With KTOP_REF=path (another build, e.g. one without the Off-CPU model section): A/B, the
#     same idle recording (AB_DURATION s, default 30) by KTOP_REF and by KTOP at the same time
#     (the same box), ROUNDS rounds (default 3): bytes per interval and recording CPU of each,
#     their ratio in each round, and the CPU KTOP spent encoding models (its log).
# Needs root and perf. Usage: bench/record_size.sh (KTOP=path, default build/ktop; DURATION,
#   RUNS; LOAD=0 to skip part 2; ONLY_AB=1 for part 4 alone)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
DURATION=${DURATION:-60}
RUNS=${RUNS:-5}
LOAD=${LOAD:-1}
KTOP_REF=${KTOP_REF:-}
AB_DURATION=${AB_DURATION:-30}
ROUNDS=${ROUNDS:-3}
ONLY_AB=${ONLY_AB:-0}

[ "$(id -u)" = 0 ] || { echo "record_size.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "record_size.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
command -v perf >/dev/null || { echo "record_size.sh: needs perf" >&2; exit 2; }

work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
load=""
cleanup() {
	if [ -n "$load" ]; then
		kill -- -"$load" 2>/dev/null # its own process group: the loop and its perf runs
		wait "$load" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "# record size: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$($KTOP --version | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# cpu_of CMD...: run CMD (output to /dev/null) and print its user+system CPU seconds.
cpu_of() {
	python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime))' "$@"
}

# measure NAME: record DURATION intervals into $work/NAME.ktop; one row of figures.
measure() {
	local name=$1 with without bytes n rec
	with=$(KTOP_LOG="$work/$name.log" cpu_of "$KTOP" -b -P overview -f json -d 1 \
		-n "$DURATION" -w "$work/$name.ktop")
	without=$(cpu_of "$KTOP" -b -P overview -f json -d 1 -n "$DURATION")
	bytes=$(stat -c %s "$work/$name.ktop")
	n=$("$KTOP" -r "$work/$name.ktop" -b -P overview -f json 2>/dev/null | wc -l)
	rec=$(sed -n 's/.*intervals written, \([0-9.]*\) s of CPU spent recording.*/\1/p' \
		"$work/$name.log")
	awk -v name="$name" -v b="$bytes" -v n="$n" -v r="${rec:-0}" -v w="$with" -v wo="$without" \
		-v d="$DURATION" 'BEGIN {
		printf "%-6s %10d %10.0f %10.1f %12.2f %12.2f %12.2f\n", name, n, b / n,
			b / n * 3600 / 1e6, r / d * 100, w / d * 100, wo / d * 100 }'
}

# record_once BIN NAME: AB_DURATION intervals into $work/NAME.ktop; "bytes/interval record-CPU-s
# model-CPU-s".
record_once() {
	local bin=$1 name=$2 bytes n
	KTOP_LOG="$work/$name.log" "$bin" -b -P overview -f json -d 1 -n "$AB_DURATION" \
		-w "$work/$name.ktop" >/dev/null 2>&1
	bytes=$(stat -c %s "$work/$name.ktop" 2>/dev/null || echo 0)
	n=$("$KTOP" -r "$work/$name.ktop" -b -P overview -f json 2>/dev/null | wc -l)
	awk -v b="$bytes" -v n="$n" 'BEGIN { printf "%.0f ", n ? b / n : 0 }'
	sed -n 's/.*intervals written, \([0-9.]*\) s of CPU spent recording.*/\1 /p' "$work/$name.log" |
		tr -d '\n'
	sed -n 's/.*of which \([0-9.]*\) s encoding models.*/\1/p' "$work/$name.log" | grep . ||
		echo 0
}

if [ -n "$KTOP_REF" ]; then
	[ -x "$KTOP_REF" ] || { echo "record_size.sh: no ktop at KTOP_REF=$KTOP_REF" >&2; exit 2; }
	echo
	echo "## A/B, idle: A = $KTOP_REF, B = $KTOP; -b -P overview -d 1 -n $AB_DURATION -w," \
		"both at once, $ROUNDS rounds"
	printf '%-6s %12s %12s %12s %12s %10s %10s %14s %8s\n' round "A bytes/int" "B bytes/int" \
		"A rec %CPU" "B rec %CPU" "size B/A" "CPU B/A" "B models %CPU" load1
	for ((r = 1; r <= ROUNDS; r++)); do
		# both at once: the same box, the same processes and stacks, in each round
		record_once "$KTOP_REF" "a$r" >"$work/a$r.row" &
		record_once "$KTOP" "b$r" >"$work/b$r.row"
		wait $!
		read -r ab ac _ <"$work/a$r.row"
		read -r bb bc bm <"$work/b$r.row"
		awk -v r="$r" -v ab="$ab" -v ac="$ac" -v bb="$bb" -v bc="$bc" -v bm="$bm" \
			-v d="$AB_DURATION" -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
			printf "%-6s %12d %12d %12.2f %12.2f %10.2f %10.2f %14.3f %8s\n", r, ab, bb,
				ac / d * 100, bc / d * 100, ab ? bb / ab : 0, ac ? bc / ac : 0,
				bm / d * 100, l }'
	done
	[ "$ONLY_AB" = 1 ] && exit 0
fi

echo
echo "## ktop -b -P overview -f json -d 1 -n $DURATION -w FILE, and without -w"
printf '%-6s %10s %10s %10s %12s %12s %12s\n' "" "intervals" "B/interval" "MB/hour" \
	"record %CPU" "-w %CPU" "no -w %CPU"
measure idle
if [ "$LOAD" = 1 ]; then
	setsid bash -c 'while :; do perf bench sched messaging -g 10 -l 20 >/dev/null 2>&1; done' &
	load=$!
	sleep 2
	measure load
	kill -- -"$load" 2>/dev/null
	wait "$load" 2>/dev/null
	load=""
fi

# --- 3. a 1-hour file, and jumping to its middle -----------------------------------------
python3 - "$work/idle.ktop" "$work/hour.ktop" "$work/hour-cut.ktop" <<'EOF'
import struct, sys, zlib
src = open(sys.argv[1], "rb").read()
head, off, frames = src[:192], 192, []
while off + 40 <= len(src):
    magic, kind, _, stored, raw, t, seq, pcrc, hcrc = struct.unpack_from("<IHHIIQQII", src, off)
    if kind == 1:
        frames.append((raw, src[off + 40:off + 40 + stored]))
    off += 40 + stored
def frame(kind, stored, raw, t, seq, payload):
    h = struct.pack("<IHHIIQQI", 0x3152464B, kind, 0, stored, raw, t, seq, zlib.crc32(payload))
    return h + struct.pack("<I", zlib.crc32(h)) + payload
start = struct.unpack_from("<Q", head, 16)[0]
out, ix, last_ix, cut = bytearray(head), [], 0, 0
for i in range(3600):
    raw, payload = frames[i % len(frames)]
    t = start + (i + 1) * 10**9
    ix.append((t, len(out)))
    if i == 3599:
        cut = len(out) + 40 + len(payload)
    out += frame(1, len(payload), raw, t, i, payload)
    if len(ix) == 256 or i == 3599:
        p = struct.pack("<QI", last_ix, len(ix)) + b"".join(struct.pack("<QQ", *e) for e in ix)
        last_ix, ix = len(out), []
        out += frame(2, len(p), len(p), t, i + 1, p)
out += frame(3, 8, 8, 0, 3600, struct.pack("<Q", last_ix))
open(sys.argv[2], "wb").write(out)
open(sys.argv[3], "wb").write(out[:cut])
EOF
echo
echo "## ktop -r FILE -b -P overview -f json --from +30m -n 1, $RUNS runs (ms)"
for f in hour hour-cut; do
	for ((i = 0; i < RUNS; i++)); do
		s=$(date +%s%N)
		"$KTOP" -r "$work/$f.ktop" -b -P overview -f json --from +30m -n 1 >/dev/null 2>&1
		echo $((($(date +%s%N) - s) / 1000))
	done | sort -n | awk -v f="$f" -v sz="$(stat -c %s "$work/$f.ktop")" '
		{ v[NR] = $1 / 1000 } END {
		printf "%-9s %6.1f MB  median %.1f  min %.1f  max %.1f\n", f, sz / 1e6,
			v[int((NR + 1) / 2)], v[1], v[NR] }'
done
