#!/usr/bin/env bash
# Stack-map collisions that do not pile up (issue #14, item 4): the Stacks panel samples
# tests/bpf/stack_churn.c, which burns a CPU in 32 call stacks a second it never took before,
# with frame pointers and a stack map far smaller than the run's stacks (--stack-storage 1024;
# some 2000 distinct stacks in 20 s). Its two stack maps are used in turn and emptied at each
# poll, so a late interval loses no larger share of its samples to collisions than an early
# one; a map that kept every id (as before) lost four to ten times the early share late.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/churn" \
	"$KTOP_TOP/tests/bpf/stack_churn.c" || { not_ok "build stack_churn"; finish; }

"$work/churn" 90 >"$work/out" &
churn=$!
trap 'kill $churn 2>/dev/null; cleanup_test' EXIT
wait_for 15 grep -q ready "$work/out" || { not_ok "stack_churn did not start"; finish; }

"$KTOP" -b -P stacks -p "$churn" -d 1 -n 22 -F 999 --stack-storage 1024 --unwind fp -f json \
	>"$work/run.json" 2>"$work/err"
rc=$?
check "ktop sampled 22 intervals of stack_churn" \
	eval 'test "$rc" = 0 && test "$(wc -l <"$work/run.json")" = 22'
[ "$rc" = 0 ] || note "$(tail -n 3 "$work/err")"

# Each interval's collisions (the counter is cumulative) over its samples; the mean share of
# intervals 2-5 (early) and of the last four (late, the map long full had it kept its ids).
python3 - "$work/run.json" >"$work/share" <<'EOF'
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cum = [s["drops"]["stack_collisions"] for s in snaps]
per = [b - a for a, b in zip([0] + cum, cum)]
samples = [sum(t["oncpu_samples"] for t in s["threads"]) for s in snaps]
share = [c / max(n, 1) for c, n in zip(per, samples)]
early = sum(share[1:5]) / 4
late = sum(share[-4:]) / 4
print("%.4f %.4f %s %s" % (early, late, json.dumps(per, separators=(",", ":")),
                            json.dumps(samples, separators=(",", ":"))))
EOF
read -r early late per samples <"$work/share" 2>/dev/null
note "collisions by interval: ${per:-none}; samples: ${samples:-none}"
note "share of samples lost to collisions: early ${early:-none}, late ${late:-none}"
check "the samples are there (stack_churn on CPU)" \
	python3 -c "import sys; sys.exit(0 if sum(eval(sys.argv[1])) > 200 else 1)" "${samples:-[]}"
check "a late interval loses no larger share to collisions than an early one (+50%, +5 points)" \
	python3 -c "import sys; e, l = map(float, sys.argv[1:]); sys.exit(0 if l <= 1.5 * e + 0.05 \
		else 1)" "${early:-0}" "${late:-1}"
finish
