#!/usr/bin/env bash
# What one refresh of the Off-CPU panel costs with many distinct stacks, reported (never
# asserted).
#  1. bench/offcpu_refresh.c, built here against BUILD/libktop.a, runs ktop's own code on
#     NSTACKS (default 20000) distinct records of depth 10 to 30 with real names (functions
#     of the benchmark, of the libraries it maps, and of /proc/kallsyms), belonging to 64
#     forked processes that sleep. It times, in ms: the poll (a real BPF hash map of ktop's
#     counts key and value drained as the collector drains it; an array map in place of the
#     stack map, which user space cannot fill; collectors/stack_collect.c naming and merging
#     the records) cold, again with the same keys, and with every key new but the names
#     cached; the snapshot core takes of the model (offcpu_model_dup); stack_tree_build
#     (plain, inverted, threads split); drawing the panel into a 120x40 canvas after a new
#     snapshot (tree rebuilt) and with the tree kept; the text, folded and JSON exports of
#     the whole tree; and, last, naming every frame with sym_user/sym_kernel, cold and warm,
#     then the warm figure's two halves apart: the stack map reads alone (one bpf syscall a
#     record) and the names alone (the symbolizer's address caches, addresses read before).
#     Times are the benchmark thread's CPU time (user + system), so that other load on the
#     machine does not count; on an idle CPU that is also the wall time. RSS (VmRSS, VmHWM)
#     is printed after each stage; the peak is started again (clear_refs) before the
#     panel's draws and before the exports, so that those peaks are their own. Repeatable
#     steps run 5 times (median, min, max).
#     It runs twice: THREADS=1 (every record a path of its own: the largest tree) and
#     THREADS=8 (each path blocked in by 8 threads of its process: a smaller tree).
#  2. Unless LIVE=0, the real collector: ktop's full-screen UI (`ktop -P offcpu -d 1`, in a
#     detached tmux at 120x40) for DURATION seconds (default 30) while a loop of
#     `perf bench sched messaging -g 10 -l 20` (400 short-lived processes a run, each
#     blocking in a few stacks of its own) makes new distinct stacks all the time, so the
#     cumulative set grows. Each second: ktop's CPU time in that second (from
#     /proc/PID/schedstat: poll, process notes, snapshot, tree and draw; wall time is
#     longer on a loaded machine), its RSS and, of that, its anonymous memory (RSS also
#     counts the BPF ring buffers it maps). Every 5 s the F key saves the cumulative
#     folded stacks, whose line count is the number of distinct stacks shown (those
#     seconds, marked *, include the save).
# Needs root, gcc, pkg-config, tmux and perf. Usage: bench/offcpu_refresh.sh
#   (BUILD=build dir, default build/; KTOP=path, default BUILD/ktop; NSTACKS, DURATION,
#   LIVE=0 to skip part 2, OFFLINE=0 to skip part 1: an A/B of two KTOPs' live cost)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${BUILD:-$top/build}" 2>/dev/null && pwd) ||
	{ echo "offcpu_refresh.sh: no build dir ${BUILD:-$top/build}" >&2; exit 2; }
KTOP=${KTOP:-$BUILD/ktop}
NSTACKS=${NSTACKS:-20000}
DURATION=${DURATION:-30}
LIVE=${LIVE:-1}
OFFLINE=${OFFLINE:-1}

[ "$(id -u)" = 0 ] || { echo "offcpu_refresh.sh: needs root" >&2; exit 2; }
[ -f "$BUILD/libktop.a" ] || { echo "offcpu_refresh.sh: no $BUILD/libktop.a" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "offcpu_refresh.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
for t in gcc pkg-config tmux perf; do
	command -v "$t" >/dev/null || { echo "offcpu_refresh.sh: needs $t" >&2; exit 2; }
done

work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
sock="ktop-bench-$$"
load=""
ktop_pid=""

cleanup() {
	if [ -n "$load" ]; then
		kill -- -"$load" 2>/dev/null # its own process group: the loop and its perf runs
		wait "$load" 2>/dev/null
	fi
	[ -n "$ktop_pid" ] && kill "$ktop_pid" 2>/dev/null
	tmux -L "$sock" kill-server 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

echo "# off-CPU refresh: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$($KTOP --version | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. the pipeline on synthesized stacks ---------------------------------------------------
# The collector's aggregator is stack_collect.c (offcpu_stacks.c before it): use the one the
# library holds; a library older than the sources' headers has to be rebuilt first.
api=()
if ar t "$BUILD/libktop.a" | grep -qx 'stack_collect.o'; then
	api=(-DKTOP_BENCH_STACK_COLLECT)
elif [ ! -f "$top/collectors/offcpu_stacks.h" ]; then
	echo "offcpu_refresh.sh: $BUILD/libktop.a predates collectors/stack_collect.c: rebuild ktop" >&2
	exit 2
fi
# The libraries the build dir links ktop with (libktop.a holds pprof's protobuf-c code, the
# HTTP server, zstd): its Makefile's KTOP_LIBS, else (a build older than it) the first list.
# shellcheck disable=SC2016 # make expands $(KTOP_LIBS)
libs=$(printf 'ktop-bench-libs:\n\t@echo $(KTOP_LIBS)\n' |
	make -s -C "$BUILD" -f Makefile -f - ktop-bench-libs 2>/dev/null | sed 's/libktop\.a//')
[ -n "$libs" ] || libs="$(pkg-config --libs libbpf libelf libdw ncursesw) -liberty -lm -lz"
# shellcheck disable=SC2086 # a list of words
gcc -std=gnu11 -O2 -Wall "${api[@]}" -I"$top" -I"$BUILD" -o "$work/offcpu_refresh" \
	"$top/bench/offcpu_refresh.c" "$BUILD/libktop.a" $libs || exit 1
for threads in 1 8; do
	[ "$OFFLINE" = 1 ] || break
	echo
	echo "## offcpu_refresh $NSTACKS $threads"
	"$work/offcpu_refresh" "$NSTACKS" "$threads" || exit 1
done

[ "$LIVE" = 1 ] || exit 0
# --- 2. the real collector under a load of new stacks ------------------------------------------
echo
echo "## ktop -P offcpu -d 1 (UI, 120x40) for $DURATION s under a loop of" \
	"perf bench sched messaging -g 10 -l 20"
mkdir "$work/saves"
tmux -L "$sock" -f /dev/null new-session -d -s b -x 120 -y 40 \
	"exec env TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work/saves $KTOP -P offcpu -d 1"
ktop_pid=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
sleep 2 # attached, first refreshes done
setsid bash -c 'while :; do perf bench sched messaging -g 10 -l 20 >/dev/null 2>&1; done' &
load=$!

# newest_save: the last file the F key saved (ktop names them by time; the names are plain).
# shellcheck disable=SC2012
newest_save() { ls -t "$work/saves"/*.folded 2>/dev/null | head -1; }
# run_ns: ktop's on-CPU ns so far; mem: "VmRSS VmHWM RssAnon" in MB. VmRSS also counts the
# BPF ring buffers ktop maps (the kernel maps all their pages at once), RssAnon only ktop's own
# memory (heap, tree, symbolizer).
run_ns() { awk '{ print $1 }' "/proc/$ktop_pid/schedstat"; }
mem() {
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 }
		END { printf "%.1f %.1f %.1f", r / 1024, h / 1024, a / 1024 }' "/proc/$ktop_pid/status"
}
stacks="-"
printf '%4s %12s %10s %10s %10s %s\n' "s" "ktop CPU ms" "RSS MB" "peak MB" "anon MB" \
	"cumulative stacks (last F)"
t0=$(date +%s.%N)
n0=$(run_ns)
for ((s = 1; s <= DURATION; s++)); do
	mark=" "
	if ((s % 5 == 0)); then
		tmux -L "$sock" send-keys -t b F
		mark="*"
	fi
	sleep 1
	t1=$(date +%s.%N)
	n1=$(run_ns) || { echo "ktop exited early"; exit 1; }
	if [ "$mark" = "*" ]; then
		f=$(newest_save)
		[ -n "$f" ] && stacks=$(wc -l <"$f")
	fi
	read -r r h an <<<"$(mem)"
	awk -v s="$s$mark" -v n=$((n1 - n0)) -v a="$t0" -v b="$t1" -v r="$r" -v h="$h" -v an="$an" \
		-v k="$stacks" 'BEGIN { printf "%4s %12.1f %10.1f %10.1f %10.1f %s\n", s,
			n / 1e6 / (b - a), r, h, an, k }'
	t0=$t1
	n0=$n1
done
kill -- -"$load" 2>/dev/null
wait "$load" 2>/dev/null
load=""
f=$(newest_save)
if [ -n "$f" ]; then
	python3 - "$f" <<'PY'
import sys
total = missing = n = 0
for line in open(sys.argv[1]):
    stack, _, v = line.rstrip("\n").rpartition(" ")
    n += 1
    total += int(v)
    if "[missing" in stack:
        missing += int(v)
print(f"last save: {n} stacks; {100 * missing / total if total else 0:.1f}% of the off-CPU"
      " time in stacks with a [missing ...] mark")
PY
fi
echo "ktop's screen at the end (first 4 lines):"
tmux -L "$sock" capture-pane -p -t b | head -4
tmux -L "$sock" send-keys -t b q
for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$ktop_pid" 2>/dev/null || break; sleep 0.3; done
ktop_pid=""
tmux -L "$sock" kill-server 2>/dev/null || true # gone already when ktop quit
