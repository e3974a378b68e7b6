#!/usr/bin/env bash
# End to end: the Stacks panel of a recording (-w) of the planted burner, replayed on the screen
# (-r) in tmux by an unprivileged user, is the live panel fed the recorded models: its threads
# listed, its tree opened on the on-CPU and off-CPU parts, searched (/) down to a frame and
# expanded (Right) as live, the expansion kept as . steps on, v and > choose the view and the
# thread, and c adds the intervals up over a range (on-CPU and off-CPU stacks both).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

need_tools gcc python3
start_burner 120 || finish
"$KTOP" -b -P stacks -d 0.5 -n 6 -p "$burner" -w "$work/st.ktop" >/dev/null 2>"$work/st.err" ||
	{ not_ok "recording the burner's stacks: $(head -2 "$work/st.err")"; finish; }
chown nobody "$work/st.ktop" && chmod 755 "$work"

screen() { tm capture-pane -p -t rs; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
key() { tm send-keys -t rs "$@"; }

tm -f /dev/null new-session -d -s rs -x 120 -y 40 \
	"env -i PATH=$PATH HOME=/ TERM=screen-256color LANG=C.UTF-8 setpriv --reuid nobody \
	--regid nogroup --clear-groups $KTOP -r $work/st.ktop -P stacks" ||
	{ not_ok "tmux"; finish; }
check "as nobody, the Stacks panel is drawn live from its model: the burner, interval 1" \
	wait_for 15 eval 'has "pid $burner burner" && has "interval 1 of 6" &&
		has "on-CPU 99 Hz   interval"'
check "its threads are listed with their recorded figures" \
	eval 'has sleepy && screen | grep -qE "^ $burner +burner +R "'
check "the tree opens on the threads' parts, collapsed below them (the live panel, not text)" \
	eval 'has "▸ [on-CPU]" && has "▸ [off-CPU]" && lacks "burn_a"'
# the search for nap in the off-CPU view: a sample of the sleepy thread on CPU in nap (it wakes
# there) would else be found first, and the next interval need not have one
key v
key v
check "v twice: off-CPU only" wait_for 5 eval 'has "view off-CPU" && lacks "[on-CPU]"'
key /
check "/ asks for a search" wait_for 5 has "search (n: next"
tm send-keys -t rs -l nap
key Enter
check "/ nap: the tree expands down to the frame searched, the frame itself collapsed" \
	wait_for 5 eval 'has "▾ doze_b" && has "▸ nap" && lacks "clock_nanosleep"'
key Right
check "Right: the frame expands one level, as live" \
	wait_for 5 eval 'has "▾ nap" && has "nanosleep"'
key .
check ".: the next interval, the tree still expanded to nap" \
	wait_for 5 eval 'has "interval 2 of 6" && has "▾ nap"'
key v
check "v: both again, the off-CPU part still expanded to nap" \
	wait_for 5 eval 'has "view both" && has "[on-CPU]" && has "▾ nap"'
key /
tm send-keys -t rs -l burn_c
key Enter
check "/ burn_c: the on-CPU chain of the recorded samples" \
	wait_for 5 eval 'has "▾ burn_a" && has "▾ burn_b" && has "burn_c"'
key v
check "v: on-CPU only" wait_for 5 eval 'has "view on-CPU" && lacks "[off-CPU]"'
key v
key v
check "v twice more: both again" wait_for 5 eval 'has "view both" && has "[off-CPU]"'
key '>'
check "> chooses the first thread" wait_for 5 has "thread $burner"
key '<'
check "< back to all threads" wait_for 5 has "all threads"
key .
wait_for 5 has "interval 3 of 6"
key c
# the first three intervals' on-CPU and off-CPU stacks of the burner, written as the panel does
want=$("$KTOP" -r "$work/st.ktop" -b -P stacks -f json -n 3 2>/dev/null | python3 -c '
import json, sys
us = 0
for l in sys.stdin:
    d = json.loads(l)
    us += sum(s["on_cpu_us"] for s in d["oncpu"]) + sum(s["off_cpu_us"] for s in d["offcpu"])
print("%.0fus" % us if us < 1000 else "%.*fms" % (2 if us < 10000 else 1, us / 1000)
      if us < 1000000 else "%.2fs" % (us / 1e6))')
note "the first three intervals add up to ${want:-nothing}"
check "c: the intervals added up from the first to the shown one, on and off CPU" \
	wait_for 5 eval 'has "(intervals 1-3)" && has "on-CPU 99 Hz   cumulative" &&
		screen | grep -F "▾ all" | grep -qF " ${want:-none} "'
check "c keeps the search's expansion" has "burn_c"
key q
check "q quits the replay" wait_for 10 eval '! tm has-session -t rs 2>/dev/null'
finish
