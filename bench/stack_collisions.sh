#!/usr/bin/env bash
# Stack-map collisions over a run, A against B in the same rounds (reported, never asserted).
# stacks: tests/bpf/stack_churn.c burns a CPU in 32 new call stacks a second, and each ktop
# samples it in turn with `ktop -b -P stacks -p PID -d 1 -n N -F 999 --stack-storage S
# --unwind fp -f json`; offcpu: tests/bpf/sleeper.c (`fresh`) blocks in 32 new call stacks a
# second, thousands of times, traced with `ktop -b -P offcpu -p PID -d 1 -n N --stack-storage
# S --unwind fp -f json`. Per interval, the stack collisions (the drop counter's growth) over
# the samples or blocks. Prints, for each case, ktop and round, the mean share of intervals 2-5
# (early) and of the last four (late) and the mean collisions an interval then, and the load
# (uptime) before each round.
# Needs root and gcc. Usage: bench/stack_collisions.sh  (KTOP_A, KTOP_B, ROUNDS, N, S, CASES)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP_A=${KTOP_A:-$top/build/ktop}
KTOP_B=${KTOP_B:-}
ROUNDS=${ROUNDS:-3}
N=${N:-22}
S=${S:-1024}
CASES=${CASES:-stacks offcpu}

[ "$(id -u)" = 0 ] || { echo "stack_collisions.sh: needs root" >&2; exit 2; }
[ -x "$KTOP_A" ] || { echo "stack_collisions.sh: no ktop at $KTOP_A (set KTOP_A)" >&2; exit 2; }
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
churn=""
trap '[ -n "$churn" ] && kill "$churn" 2>/dev/null; rm -rf "$work"' EXIT
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/churn" \
	"$top/tests/bpf/stack_churn.c" || exit 1
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$top/tests/bpf/sleeper.c" || exit 1

# one CASE KTOP: a fresh workload traced N intervals; prints early and late share and counts.
one() {
	if [ "$1" = stacks ]; then
		"$work/churn" $((N + 30)) >"$work/out" &
	else
		"$work/sleeper" fresh $((N + 30)) >"$work/out" &
	fi
	churn=$!
	for _ in $(seq 50); do grep -q ready "$work/out" && break; sleep 0.1; done
	if [ "$1" = stacks ]; then
		"$2" -b -P stacks -p "$churn" -d 1 -n "$N" -F 999 --stack-storage "$S" --unwind fp \
			-f json >"$work/run.json" 2>"$work/err"
	else
		"$2" -b -P offcpu -p "$churn" -d 1 -n "$N" --stack-storage "$S" --unwind fp \
			-f json >"$work/run.json" 2>"$work/err"
	fi
	kill "$churn" 2>/dev/null
	wait "$churn" 2>/dev/null
	churn=""
	python3 - "$work/run.json" "$1" <<'PY'
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if len(snaps) < 9:
    print("too few snapshots (%d)" % len(snaps))
    sys.exit()
cum = [s["drops"]["stack_collisions"] for s in snaps]
per = [b - a for a, b in zip([0] + cum, cum)]
if sys.argv[2] == "stacks":
    samples = [sum(t["oncpu_samples"] for t in s["threads"]) for s in snaps]
else:
    samples = [sum(t["count"] for t in s["stacks"]) for s in snaps]
share = [c / max(n, 1) for c, n in zip(per, samples)]
mean = lambda v: sum(v) / len(v)
print("early %5.1f%% (%4.0f an interval)  late %5.1f%% (%4.0f an interval)  %s %4.0f" %
      (100 * mean(share[1:5]), mean(per[1:5]), 100 * mean(share[-4:]), mean(per[-4:]),
       "samples" if sys.argv[2] == "stacks" else "blocks", mean(samples)))
PY
}

for r in $(seq "$ROUNDS"); do
	echo "round $r: $(uptime)"
	for c in $CASES; do
		echo "  $c A $KTOP_A: $(one "$c" "$KTOP_A")"
		[ -n "$KTOP_B" ] && echo "  $c B $KTOP_B: $(one "$c" "$KTOP_B")"
	done
done
