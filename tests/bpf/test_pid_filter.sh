#!/usr/bin/env bash
# The PID filter on the real kernel while it changes (collectors/pid_filter.c): ktop in tmux on
# the Trace panel with a probe on a test program's function (tests/bpf/tracee.c) that only a
# process outside the filter calls, in a tight loop (two such callers, so one is likely on the
# other CPU); the p filter is swapped up to 1000 times between two sets of 30 other processes,
# which never call it. Not one event may get through: a swap adds the new PIDs before it
# deletes the old ones and never turns the filter off. Then clearing the filter lets the
# callers' events in (the probe works), and setting it again stops them.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

tracee="$work/tracee"
gcc -O1 -g -o "$tracee" "$KTOP_TOP/tests/bpf/tracee.c" || { not_ok "build tracee"; finish; }

screen() { tm capture-pane -p -t pf; }
has() { screen | grep -qF -- "$1"; }
key() { tm send-keys -t pf "$@"; }
# probe_events: the event count on probe #1's line, e.g. "#1  p        0 events".
probe_events() { screen | sed -nE 's/.*#1 +p +([0-9]+) events.*/\1/p' | head -1; }
no_events() { [ "$(probe_events)" = 0 ]; }
some_events() { [ "$(probe_events)" -gt 0 ] 2>/dev/null; }

# Two sets of 30 idle processes (a larger set makes a change take longer; 30 PIDs fit the
# prompt), and one of each set alone, to mark the end of a round of swaps in the header.
one=""
two=""
for ((i = 0; i < 60; i++)); do
	sleep 600 &
	pids+=("$!")
	if ((i < 30)); then one+=${one:+,}$!; else two+=${two:+,}$!; fi
done
marks=("${one%%,*}" "${two%%,*}")
first=${marks[0]}

tm -f /dev/null new-session -d -s pf -x 120 -y 32 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 $KTOP -P trace -d 0.5 \
	-p $one --trace '$tracee:tracee_work \"%d\", arg1'" || { not_ok "tmux"; finish; }
if ! wait_for 60 no_events; then
	not_ok "the probe is attached with no event"
	screen | sed 's/^/# /'
	finish
fi

# The callers outside the filter start once the filter is in place.
for _ in 1 2; do
	"$tracee" loop 100000000000 >/dev/null &
	pids+=("$!")
done
sleep 1 # they are calling
check "a process outside the filter sends nothing" no_events

# Rounds of 200 swaps one -> two -> one, typed as one paste of a tmux buffer (p, the PIDs,
# Enter; no bracketed paste): ktop applies each Enter as it reads it. One paste, not fifty
# send-keys clients, so that a round's time does not hang on how soon a loaded box runs
# fifty tmux clients beside the two callers (it took 20 to 100 s by the box's load). A
# round ends with one marker PID alone, which the header shows once every swap of the round
# is done. Five rounds, or fewer once an event got through.
at_pid() { screen | grep -qE "^pid: $1( |$)"; }
swaps=""
for ((i = 0; i < 100; i++)); do swaps+="p$one"$'\r'"p$two"$'\r'; done
for ((round = 0; round < 5; round++)); do
	printf '%s' "$swaps" | tm load-buffer -b swaps - && tm paste-buffer -r -b swaps -t pf ||
		note "the round's paste failed"
	mark=${marks[round % 2]}
	key p "$mark" Enter
	wait_for 60 at_pid "$mark" && sleep 1 # a refresh follows the last swap
	no_events || break
done
note "swap rounds: $((round < 5 ? round + 1 : 5))"
check "1000 swaps between two sets of other processes let none of their calls through" no_events
note "$(screen | grep -E "#1 +p")"

key p Enter
check "with the filter cleared its calls show" wait_for 10 some_events
before=$(probe_events)
key p "$first" Enter
wait_for 10 at_pid "$first"
# the events already in the ring are read: the count holds over a second (two refreshes)
steady() {
	local n
	n=$(probe_events)
	sleep 1
	[ "$(probe_events)" = "$n" ]
}
wait_for 20 steady
settled=$(probe_events)
sleep 1.5
check "with the filter set again they stop" test "$(probe_events)" = "$settled"
note "events: $before when cleared, $settled after the filter was set again"

key q
check "q quits" wait_for 10 eval '! tm has-session -t pf 2>/dev/null'
finish
