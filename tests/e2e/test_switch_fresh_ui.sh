#!/usr/bin/env bash
# A panel not shown is not copied at each refresh (issue #20, CPU): switching to it takes a
# fresh copy at once, not the one of the last time it was shown. And the Stacks picker, whose
# process names are read from /proc only while it is shown, names a process by its own name
# rather than by that of the thread sampled, as soon as it is shown.
# The process: python3 blocked on a FIFO while ktop starts; once written to, its main thread
# renames itself fresh_main and naps 50 ms at a time while a thread named fresh_busy spins.
# (Off-CPU names it python3: it keeps the name a process had when first seen, until an exec.)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

mkfifo "$work/go"
python3 - "$work/go" <<'EOF' &
import sys, threading, time
open(sys.argv[1]).read()
def spin():
    with open("/proc/thread-self/comm", "w") as f:
        f.write("fresh_busy")
    while True:
        pass
with open("/proc/self/comm", "w") as f:
    f.write("fresh_main")
threading.Thread(target=spin, daemon=True).start()
while True:
    time.sleep(0.05)
EOF
napper=$!
pids+=("$napper")

screen() { tm capture-pane -p -t fr; }
has() { screen | grep -qF -- "$1"; }

# -d 3: a refresh comes long after the key, so what is shown then is the copy the key took.
tm -f /dev/null new-session -d -s fr -x 120 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 \
	 $KTOP -p $napper -d 3" || { not_ok "tmux"; finish; }
check "the Overview is the first screen" wait_for 15 has "1 Overview"
sleep 1
echo go >"$work/go"
check "the Overview shows the napper under its new name" wait_for 15 has "fresh_main"
# Two more refreshes: the Off-CPU collector has read more than 3 s of naps by then.
sleep 7
tm send-keys -t fr 2
sleep 0.3
screen >"$work/offcpu.screen"
# The napper's row: a second or more of naps (the copy of the first refresh had none: it was
# still blocked on the FIFO then).
napped() { grep -qE "^ +([1-9][0-9]*\.[0-9]+s|[0-9]+:[0-9]+) .* \($napper\)" "$work/offcpu.screen"; }
check "Off-CPU, shown right after the Overview, has the naps up to the last refresh" napped
napped || note "$(cat "$work/offcpu.screen")"
tm send-keys -t fr q
wait_for 10 eval '! tm has-session -t fr 2>/dev/null'

tm -f /dev/null new-session -d -s st -x 120 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 $KTOP -d 1" ||
	{ not_ok "tmux"; finish; }
check "ktop starts" wait_for 15 eval 'tm capture-pane -p -t st | grep -qF "1 Overview"'
sleep 2
tm send-keys -t st 5
check "the Stacks picker names the spinning process by its own name" \
	wait_for 10 eval 'tm capture-pane -p -t st | grep -qF "fresh_main"'
check "not by the name of the thread sampled" \
	eval '! tm capture-pane -p -t st | grep -qF "fresh_busy"'
tm capture-pane -p -t st | sed -n 4,9p | sed "s/^/# /" # shown when a check fails
tm send-keys -t st q
wait_for 10 eval '! tm has-session -t st 2>/dev/null'
finish
