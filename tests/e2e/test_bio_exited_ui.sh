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
# 1024 blocks a run: its rows sort above other writers' short runs on a shared box. A pause
# between runs keeps them fewer than the rows on the screen; each run's end is logged: a run
# that ended in the last interval or two is not folded yet.
(while :; do
	dd if=/dev/zero of="$loop" bs=4k count=1024 oflag=direct status=none
	date +%s.%N >>"$work/ends"
	sleep 0.4
done) &
pids+=($!)
# recent_runs SECONDS: how many runs ended in the last SECONDS.
recent_runs() { awk -v now="$(date +%s.%N)" -v s="$1" '$1 > now - s { n++ } END { print n + 0 }' \
	"$work/ends"; }

tm -f /dev/null new-session -d -s bx -x 120 -y 60 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 \
	 $KTOP -P bio -d 0.5 --no-config" || { not_ok "tmux"; finish; }
check "ktop shows the loop device's dd on the Block I/O panel" wait_for 20 eval 'dd_rows | grep -q .'
tm send-keys -t bx c
# Several runs exit in 8 s; each was one row before folding.
sleep 8
note "dd rows since start: $(dd_rows | awk '{ print $1 }' | tr '\n' ' ')"
check "the exited runs share one row marked exited" wait_for 10 eval '[ "$(exited_rows)" = 1 ]'
# A run is folded at the second poll after its end (the first still sees its last I/O): those
# of the last 2.5 s and the running one may keep their PIDs, never the older ones.
rows=$(numbered_rows)
recent=$(recent_runs 2.5)
note "rows with a PID: $rows; runs ended in the last 2.5 s: $recent, in all: $(wc -l <"$work/ends")"
check "only the running dd and the runs of the last two polls keep a PID" \
	test "$rows" -le $((recent + 1))
tm send-keys -t bx q
check "ktop quits" wait_for 10 eval '! tm has-session -t bx 2>/dev/null'
finish
