#!/usr/bin/env bash
# The Off-CPU collector's cost per context switch, A against B in the same rounds (reported,
# never asserted): in each round, each ktop in turn (`ktop -b -P offcpu -d 1 -f json` to
# /dev/null, the order alternating) runs while `perf bench sched pipe -l LOOPS` ping-pongs two
# processes through a pipe on CPU (every operation two context switches); with
# kernel.bpf_stats_enabled=1 (restored on exit), the ns per run of ktop's sched_switch
# program and its run count during the perf run, and perf's usecs/op. Prints each round and
# the load (uptime) before it, then the medians and the B/A ratio of ns per run.
# Needs root, perf and bpftool. Usage: KTOP_A=... KTOP_B=... bench/offcpu_switch_ab.sh
#   (LOOPS, ROUNDS, CPU, ARGS: more ktop arguments, e.g. "--stack-storage 1024")
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP_A=${KTOP_A:-$top/build/ktop}
KTOP_B=${KTOP_B:?set KTOP_B to the ktop to compare with KTOP_A}
LOOPS=${LOOPS:-300000}
ROUNDS=${ROUNDS:-5}
CPU=${CPU:-0}
ARGS=${ARGS:-}

[ "$(id -u)" = 0 ] || { echo "offcpu_switch_ab.sh: needs root" >&2; exit 2; }
for t in perf bpftool python3 taskset; do
	command -v "$t" >/dev/null || { echo "offcpu_switch_ab.sh: needs $t" >&2; exit 2; }
done
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
. "$top/bench/lib.sh"
ktop=""
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
trap '[ -n "$ktop" ] && kill "$ktop" 2>/dev/null; sysctl -qw kernel.bpf_stats_enabled="$stats_was";
	rm -rf "$work"' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

# sw_stats PID: "run_time_ns run_cnt" of PID's sched_switch program.
sw_stats() {
	bench_prog_stats "$1" 2>/dev/null | awk '$2 ~ /^offcpu_sw/ && !n++ { print $3, $4 }'
}

# one KTOP: "ns_per_run runs usecs_per_op" for one perf run under KTOP.
one() {
	local t0 c0 t1 c1 us
	# shellcheck disable=SC2086
	"$1" -b -P offcpu -d 1 -f json $ARGS >/dev/null 2>"$work/err" &
	ktop=$!
	bench_wait_attached "$ktop" "$1" || { kill "$ktop"; ktop=""; echo "- - -"; return; }
	sleep 1
	read -r t0 c0 < <(sw_stats "$ktop")
	us=$(taskset -c "$CPU" perf bench sched pipe -l "$LOOPS" 2>/dev/null |
		awk '/usecs\/op/ { print $1 }')
	read -r t1 c1 < <(sw_stats "$ktop")
	kill "$ktop"
	wait "$ktop" 2>/dev/null
	ktop=""
	python3 -c "import sys; t0, c0, t1, c1 = map(int, sys.argv[1:5])
print('%.0f %d %s' % ((t1 - t0) / max(c1 - c0, 1), c1 - c0, sys.argv[5]))" \
		"${t0:-0}" "${c0:-0}" "${t1:-0}" "${c1:-0}" "${us:--}"
}

: >"$work/a"
: >"$work/b"
for r in $(seq "$ROUNDS"); do
	echo "round $r: $(uptime)"
	if [ $((r % 2)) = 1 ]; then order="a b"; else order="b a"; fi
	for w in $order; do
		if [ "$w" = a ]; then bin=$KTOP_A; else bin=$KTOP_B; fi
		res=$(one "$bin")
		echo "$res" >>"$work/$w"
		echo "  $w $bin: ns/run runs usecs/op = $res"
	done
done
python3 - "$work/a" "$work/b" <<'PY'
import statistics, sys
def col(path, i):
    out = []
    for l in open(path):
        try:
            out.append(float(l.split()[i]))
        except (ValueError, IndexError):
            pass
    return out
a, b = col(sys.argv[1], 0), col(sys.argv[2], 0)
ua, ub = col(sys.argv[1], 2), col(sys.argv[2], 2)
if a and b:
    print("median ns per sched_switch run: A %.0f  B %.0f  B/A %.3f" %
          (statistics.median(a), statistics.median(b), statistics.median(b) / statistics.median(a)))
if ua and ub:
    print("median perf usecs/op: A %.3f  B %.3f" % (statistics.median(ua), statistics.median(ub)))
PY
