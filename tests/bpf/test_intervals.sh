#!/usr/bin/env bash
# Batch snapshots whose interval is the interval (issue #14, item 3): the Stacks panel's polls
# made slow on purpose (KTOP_FAKE_SLOW_POLL=N:MS, a fake standing in for the symbolization of
# a large binary's debug information), then every snapshot's interval_s within 10% of -d,
# no thread above 100% CPU, and each thread's off-CPU time within its snapshot's interval.
# The workload is tests/bpf/burner.c: a thread that burns a CPU and one that naps 20 ms at a
# time.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -pthread -o "$work/burner" \
	"$KTOP_TOP/tests/bpf/burner.c" || { not_ok "build burner"; finish; }

# jcheck FILE PYTHON: true when the expression holds over snaps, the file's snapshots.
jcheck() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if snaps and eval(sys.argv[2]) else 1)
EOF
}

"$work/burner" 30 >"$work/out" &
burner=$!
wait_for 15 grep -q ready "$work/out" || not_ok "the burner did not start"

# The first two polls warm up before the first snapshot: make the first snapshot's poll 700 ms
# slower, in a 1 s interval.
KTOP_FAKE_SLOW_POLL=3:700 "$KTOP" -b -P stacks -p "$burner" -d 1 -n 4 -f json \
	>"$work/slow.json" 2>"$work/err"
rc=$?
check "ktop with a slow first poll exits 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || note "$(tail -n 3 "$work/err")"
note "intervals: $(python3 -c "import json,sys; print([round(json.loads(l)['interval_s'], 3) \
	for l in open(sys.argv[1]) if l.strip()])" "$work/slow.json" 2>&1)"
check "four snapshots" jcheck "$work/slow.json" "len(snaps) == 4"
check "every snapshot's interval_s is within 10% of -d 1" \
	jcheck "$work/slow.json" "all(abs(s['interval_s'] - 1.0) <= 0.1 for s in snaps)"
note "cpu_pct: $(python3 -c "import json,sys; print([[t['cpu_pct'] for t in json.loads(l) \
	['threads']] for l in open(sys.argv[1]) if l.strip()])" "$work/slow.json" 2>&1)"
check "no thread above 100% CPU in any snapshot" \
	jcheck "$work/slow.json" "all(t['cpu_pct'] <= 100.0 for s in snaps for t in s['threads'])"
check "the burning thread is on CPU in every snapshot (above 10%, on a busy machine too)" \
	jcheck "$work/slow.json" "all(t['cpu_pct'] > 10 for s in snaps for t in s['threads'] \
		if t['tid'] == $burner)"
note "off_cpu_us: $(python3 -c "import json,sys; print([[t['off_cpu_us'] for t in \
	json.loads(l)['threads']] for l in open(sys.argv[1]) if l.strip()])" "$work/slow.json" 2>&1)"
# A 20 ms nap that began before the interval ends within it: one nap of slack.
check "each thread's off-CPU time is within its snapshot's interval" \
	jcheck "$work/slow.json" "all(t['off_cpu_us'] <= s['interval_s'] * 1e6 + 25000 \
		for s in snaps for t in s['threads'])"
check "the napping thread's off-CPU time is there (most of each interval after the first)" \
	jcheck "$work/slow.json" "all(t['off_cpu_us'] >= 0.5e6 * s['interval_s'] for s in snaps[1:] \
		for t in s['threads'] if t['name'] == 'sleepy')"

kill "$burner" 2>/dev/null
wait "$burner" 2>/dev/null
finish
