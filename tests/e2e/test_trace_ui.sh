#!/usr/bin/env bash
# End to end: the Trace panel in tmux: the VFS rates line, a probe added in the panel with a
# and its events (a test program's known function), pause freezing the event list, a bad spec
# refused with a message, and d deleting the probe.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -g -o "$work/tracee" "$KTOP_TOP/tests/bpf/tracee.c" || { not_ok "build tracee"; finish; }

screen() { tm capture-pane -p -t tr; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
key() { tm send-keys -t tr "$@"; }
events() { screen | grep -cE '#1 +[0-9]+ call-[0-9]+$'; }

tm -f /dev/null new-session -d -s tr -x 120 -y 32 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 $KTOP -P trace -d 0.5" ||
	{ not_ok "tmux"; finish; }
check "the Trace panel shows the VFS rates" wait_for 15 eval 'has "VFS/s" && has "fsync"'
check "with no probe it says how to add one" has "no probes: a adds one"
key a
check "a opens the probe prompt" wait_for 5 has "probe (e.g."
tm send-keys -t tr -l "$work/tracee:no_such_function \"%d\", arg1"
key Enter
check "a bad spec is refused with its reason, the prompt kept" \
	wait_for 5 eval 'has no_such_function && has "probe (e.g."'
key C-u
tm send-keys -t tr -l "$work/tracee:tracee_work \"%d %s\", arg1, arg2"
key Enter
check "a good spec is added as #1" wait_for 5 eval 'has "added #1" || has "#1  p"'
"$work/tracee" calls 5 >/dev/null
check "its events appear with the formatted arguments" \
	wait_for 10 eval 'has "1 call-1" && has "5 call-5" && screen | grep -q " tracee "'
key Space
check "Space pauses" wait_for 5 has PAUSED
"$work/tracee" calls 3 >/dev/null
sleep 1.2 # two refresh intervals pass while paused
check "the paused list does not take the new calls" test "$(events)" = 5
key Space
check "resumed, the new calls show" wait_for 10 eval '[ "$(events)" -ge 8 ]'
key d
check "d deletes the probe" wait_for 5 eval 'has "removed #1" || has "no probes: a adds one"'
key q
check "q quits" wait_for 10 eval '! tm has-session -t tr 2>/dev/null'
finish
