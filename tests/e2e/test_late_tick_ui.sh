#!/usr/bin/env bash
# The full-screen loop after a late tick (issue #14, item 3): one Stacks poll made slower than
# the interval on purpose (KTOP_FAKE_SLOW_POLL=N:MS, a fault injection standing in for naming
# a large binary's stacks), the screen recorded with -w, then every interval the screen showed
# read back with -r: the overrun one is long, none after it or after the start is a short
# catch-up, and every other one is within 10% of -d.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

start_burner 120 || finish

screen() { tm capture-pane -p -t lt; }
has() { screen | grep -qF -- "$1"; }

# Poll 3 takes 1.5 s more than usual, in a 1 s interval: the timer fires during it.
tm -f /dev/null new-session -d -s lt -x 120 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_FAKE_SLOW_POLL=3:1500 \
	 $KTOP -P stacks -p $burner -d 1 -w $work/rec.ktop" || { not_ok "tmux"; finish; }
check "the Stacks panel shows the burner" wait_for 15 has "pid $burner burner"
# Until the recording holds five intervals after the slow one (a generous limit).
recorded() {
	"$KTOP" -r "$work/rec.ktop" -b -P stacks -f json 2>/dev/null >"$work/rec.json"
	[ "$(wc -l <"$work/rec.json")" -ge 8 ]
}
check "the screen records eight intervals" wait_for 40 recorded
tm send-keys -t lt q
wait_for 10 eval '! tm has-session -t lt 2>/dev/null'
"$KTOP" -r "$work/rec.ktop" -b -P stacks -f json >"$work/rec.json" 2>"$work/replay.err" ||
	not_ok "ktop -r reads the screen's recording: $(tail -n 1 "$work/replay.err")"
note "intervals: $(python3 -c "import json,sys; print([round(json.loads(l)['interval_s'], 3) \
	for l in open(sys.argv[1]) if l.strip()])" "$work/rec.json" 2>&1)"

# icheck PYTHON: true when the expression holds over iv, the recorded intervals in seconds.
icheck() {
	python3 - "$work/rec.json" "$1" <<'EOF'
import json, sys
iv = [json.loads(l)["interval_s"] for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if len(iv) >= 8 and eval(sys.argv[2]) else 1)
EOF
}
# Polls 1 and 2 warm up before the first recorded interval, as in batch mode.
check "one interval holds the slow poll (longer than 1.3 s)" \
	icheck "len([x for x in iv if x > 1.3]) == 1"
check "no interval is a catch-up (each at least 0.9 s), after the start or the slow poll" \
	icheck "all(x >= 0.9 for x in iv)"
check "every interval but the slow one is within 10% of -d 1" \
	icheck "all(abs(x - 1.0) <= 0.1 for x in iv if x <= 1.3)"
finish
