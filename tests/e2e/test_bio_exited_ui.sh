#!/usr/bin/env bash
# The Block I/O panel's figures since start under process churn (issue #20's soak): dd started
# again and again on a loop device; in the cumulative view (c) the runs that have exited share
# one row, "exited dd", instead of a row each, and only the running dd keeps its PID.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

screen() { tm capture-pane -p -t bx; }
# The processes table's dd rows on the loop device: "PID|exited  dd  loopN ...".
dd_rows() { screen | grep -E "^ *([0-9]+|exited) +dd +$loopname "; }
numbered_rows() { dd_rows | grep -cE '^ *[0-9]+ '; }
exited_rows() { dd_rows | grep -cE '^ *exited '; }

loop_new 64M || { not_ok "losetup"; finish; }
loopname=$(basename "$loop")
# 1024 blocks a run: its rows sort above other writers' short runs on a shared box.
writer_start 1024

tm -f /dev/null new-session -d -s bx -x 120 -y 60 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 \
	 $KTOP -P bio -d 0.5 --no-config" || { not_ok "tmux"; finish; }
check "ktop shows the loop device's dd on the Block I/O panel" wait_for 20 eval 'dd_rows | grep -q .'
tm send-keys -t bx c
# Several runs exit in 8 s; each was one row before folding.
sleep 8
note "dd rows since start: $(dd_rows | awk '{ print $1 }' | tr '\n' ' ')"
check "the exited runs share one row marked exited" wait_for 10 eval '[ "$(exited_rows)" = 1 ]'
check "at most the running dd and one not yet folded keep a PID" \
	eval '[ "$(numbered_rows)" -le 2 ]'
tm send-keys -t bx q
check "ktop quits" wait_for 10 eval '! tm has-session -t bx 2>/dev/null'
finish
