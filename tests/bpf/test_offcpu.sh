#!/usr/bin/env bash
# The Off-CPU collector on the real kernel, against a workload with a known answer
# (tests/bpf/sleeper.c, built here with frame pointers): its frames and the kernel's sleep
# frames in folded output, its total off-CPU time against the wall time it slept, the
# min-block threshold, the PID filter, a process that exits before the snapshot, the
# bound on stacks kept (--max-stacks), and a stack-map collision labelled as one.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$KTOP_TOP/tests/bpf/sleeper.c" || { not_ok "build sleeper"; finish; }

# The folded lines of one PID from a batch run: ktop_folded PID SECONDS [ARGS...]
ktop_folded() {
	local pid=$1 secs=$2
	shift 2
	"$KTOP" -b -P offcpu -p "$pid" -d "$secs" -n 1 -f folded "$@" 2>"$work/err"
}
"$work/sleeper" chain 6 >"$work/out1" &
sleeper=$!
wait_for 5 grep -q ready "$work/out1"
ktop_folded "$sleeper" 2 >"$work/chain.folded"
note "$(head -3 "$work/chain.folded")"
check "folded output names the sleeper's user frames in order" \
	grep -qE '(^|;)main;chain_a;chain_b;chain_c(;|$)' "$work/chain.folded"
check "and the kernel's sleep frames after them" \
	grep -qE 'chain_c;.*(do_nanosleep|hrtimer_nanosleep)_\[k\];.*schedule_\[k\] [0-9]+$' \
	"$work/chain.folded"
check "no line of another process (the PID filter)" \
	eval '! grep -vq "^sleeper;" "$work/chain.folded"'
check "ktop's own probe frames never appear" \
	eval '! grep -qE "bpf_prog_|bpf_trace_run|__bpf_trace" "$work/chain.folded"'
total=$(awk '{ s += $NF } END { print s + 0 }' "$work/chain.folded")
note "off-CPU total over 2 s: ${total} us"
check "its off-CPU time is the wall time it slept, within 15%" \
	python3 -c "import sys; sys.exit(0 if abs($total - 2e6) <= 0.15 * 2e6 else 1)"
wait "$sleeper"

"$work/sleeper" mixed 5 >"$work/out2" &
sleeper=$!
wait_for 5 grep -q ready "$work/out2"
ktop_folded "$sleeper" 2 -m 10000 >"$work/mixed.folded"
note "$(cat "$work/mixed.folded")"
check "with -m 10000 the 50 ms sleeps appear" grep -q 'long_wait' "$work/mixed.folded"
check "and the 1 ms sleeps do not" eval '! grep -q "short_wait" "$work/mixed.folded"'
ktop_folded "$sleeper" 1 >"$work/mixed-all.folded"
check "without the threshold both appear" \
	eval 'grep -q short_wait "$work/mixed-all.folded" && grep -q long_wait "$work/mixed-all.folded"'
wait "$sleeper"

# A process that exits before the snapshot still has named frames.
"$KTOP" -b -P offcpu -d 3 -n 1 -f folded >"$work/exited.folded" 2>"$work/err" &
ktop=$!
wait_for 10 grep -q "tracing" "$work/err"
"$work/sleeper" chain 0.5 >/dev/null
wait "$ktop"
check "a process that exited during the interval shows named frames" \
	grep -qE '^sleeper;.*chain_a;chain_b;chain_c' "$work/exited.folded"
# 150 sleeping processes are 150 stacks: over --max-stacks 64 once the interval that saw
# them is over, the smallest are merged, and the count is in the drops. (They live through the
# run: the stacks of processes that exit fold into one per name and stack.)
"$KTOP" -b -P offcpu -d 1 -n 3 -f json --max-stacks 64 >"$work/bound.json" 2>"$work/err" &
ktop=$!
wait_for 10 grep -q "tracing" "$work/err"
for _ in $(seq 150); do
	"$work/sleeper" chain 6 >/dev/null &
	pids+=($!)
done
wait "$ktop"
kill_pids
merged=$(tail -1 "$work/bound.json" | python3 -c \
	'import json, sys; print(json.load(sys.stdin)["drops"].get("older_stacks_merged", -1))')
note "older stacks merged by the third snapshot: $merged"
check "--max-stacks 64: older stacks are merged and counted" test "${merged:-0}" -gt 0
# 150 short-lived processes of one name and stack fold into one entry marked exited, not 150.
"$KTOP" -b -P offcpu -d 1 -n 3 -f json >"$work/fold.json" 2>"$work/err" &
ktop=$!
wait_for 10 grep -q "tracing" "$work/err"
(
	for _ in $(seq 150); do sleep 0.01 & done
	wait
)
wait "$ktop"
check "150 exited processes of one name and stack fold into one entry marked exited" \
	python3 - "$work/fold.json" <<'EOF'
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1])]
sleeps = [[s for s in d["stacks"] if s["comm"] == "sleep"] for d in snaps]
print("# sleep entries per snapshot (pid, exited, count):",
      [[(s["pid"], s.get("exited", False), s["count"]) for s in x][:6] for x in sleeps])
assert any(s.get("exited") and s["pid"] == 0 and s["count"] >= 50 for x in sleeps for s in x)
assert all(len(x) <= 20 for x in sleeps), [len(x) for x in sleeps]
EOF
# 4096 distinct user stacks in a map of 1024: collisions, each stack that lost its user
# frames to one labelled "[stack collision]", never as a missed stack.
"$work/sleeper" paths 6 >"$work/out3" &
sleeper=$!
wait_for 5 grep -q ready "$work/out3"
"$KTOP" -b -P offcpu -p "$sleeper" --unwind fp --stack-storage 1024 -d 2 -n 1 -f json \
	>"$work/collide.json" 2>"$work/err"
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null
# The drop counters and the off-CPU time under each mark frame, as JSON.
marks=$(python3 - "$work/collide.json" <<'EOF'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
m = {}
for s in d["stacks"]:
    for f in s["frames"]:
        if f["name"].startswith("["):
            m[f["name"]] = m.get(f["name"], 0) + s["off_cpu_us"]
print(json.dumps({"drops": d["drops"], "marks": m}))
EOF
)
note "collisions: ${marks:-none: $(tail -n 2 "$work/err")}"
jmarks() { python3 -c "import json, sys; m = json.loads(sys.argv[1]); sys.exit(0 if $1 else 1)" \
	"${marks:-null}"; }
check "a map of 1024 stacks for 4096: collisions counted" \
	jmarks "m['drops'].get('stack_collisions', 0) > 0"
check "and the stacks that lost their user frames to one say so: [stack collision]" \
	jmarks "m['marks'].get('[stack collision]', 0) > 0"
check "no collision is labelled a missed stack while none was missed" \
	jmarks "m['drops'].get('missed_user_stacks', 0) > 0 or \
		not any('missing' in k or 'missed' in k for k in m['marks'])"
check "no offcpu program is left after ktop exits" \
	wait_for 5 eval '! bpftool prog show 2>/dev/null | grep -q "name offcpu_"'
finish
