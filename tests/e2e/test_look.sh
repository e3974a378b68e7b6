#!/usr/bin/env bash
# End to end: how ktop looks in different terminals. Colours from the theme, none under
# NO_COLOR, ASCII bars and arrows when the locale is not UTF-8, and the panel's keys and
# threshold prompt changing what is drawn.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

screen() { tm capture-pane -p -t "$1"; }
screen_esc() { tm capture-pane -p -e -t "$1"; }
has() { screen "$1" | grep -qF -- "$2"; }
lacks() { ! screen "$1" | grep -qF -- "$2"; }
# start NAME ENV...: ktop in a new tmux session with this environment.
start() {
	local name=$1
	shift
	tm -f /dev/null new-session -d -s "$name" -x 100 -y 30 \
		"env -i PATH=$PATH HOME=$work TERM=screen-256color $* $KTOP -P bio -d 0.3" &&
		wait_for 15 has "$name" "Block I/O"
}

loop_new 128M || { not_ok "losetup"; finish; }
writer_start 500

check "default theme, UTF-8: starts" start color LANG=C.UTF-8
check "UTF-8: block bars are drawn" wait_for 10 has color "█"
check "the default theme colours the screen" eval 'screen_esc color | grep -qE $'"'"'\e\[[0-9;]*(3[0-7]|4[0-7]|38;5;[0-9]+)m'"'"

check "NO_COLOR: starts" start nocolor LANG=C.UTF-8 NO_COLOR=1
check "NO_COLOR: bars still drawn" wait_for 10 has nocolor "█"
check "NO_COLOR: no colour codes, only attributes" \
	eval '! screen_esc nocolor | grep -qE $'"'"'\e\[[0-9;]*(3[0-7]|4[0-7]|38;5;[0-9]+)m'"'"

check "C locale: starts" start ascii LANG=C LC_ALL=C
check "C locale: bars fall back to #" wait_for 10 eval 'screen ascii | grep -qE "^ +[0-9]+ -> [0-9]+ +[0-9]+ +#"'
check "C locale: no UTF-8 bytes on screen" eval '! screen ascii | LC_ALL=C grep -q "[^[:print:][:space:]]"'
check "C locale: the disk arrows are ASCII" has ascii "disk all <>"

s=color
tm send-keys -t $s c
check "c switches to cumulative" wait_for 5 has $s "cumulative 00:"
tm send-keys -t $s c
check "c switches back to the interval" wait_for 5 has $s "interval 0.3s"
tm send-keys -t $s b
check "b shows the size histogram" wait_for 5 eval 'screen color | grep -qE "4K -> 8K +[0-9]+"'
tm send-keys -t $s b
tm send-keys -t $s o
check "o splits by operation" wait_for 5 eval 'screen color | grep -qE "^ write: [0-9]+ I/Os"'
tm send-keys -t $s o
tm send-keys -t $s '>'
check "> chooses one disk" wait_for 5 eval 'screen color | grep -qE "disk (loop|vd|sd|nvme)[a-z0-9]*"'
tm send-keys -t $s '<'
check "< goes back to all disks" wait_for 5 has $s "disk all"
tm send-keys -t $s t
check "t opens the threshold prompt" wait_for 5 has $s "slow I/O threshold in ms"
tm send-keys -t $s -l "fast"
tm send-keys -t $s Enter
check "a bad threshold is refused" wait_for 5 has $s "not a number"
tm send-keys -t $s C-u
tm send-keys -t $s -l "0.002"
tm send-keys -t $s Enter
check "a new threshold shows in the header" wait_for 5 has $s "slow I/O > 2us"
check "slow I/O is counted against it" wait_for 5 eval 'screen color | grep -qE "slow > 2us: [1-9]"'
tm send-keys -t $s p
tm send-keys -t $s -l "$writer"
tm send-keys -t $s Enter
check "p with a live PID sets the filter in the header" wait_for 5 has $s "pid: $writer"
check "the panel says what the PID filter covers" has $s "PID filter: histograms and processes"
# the writer loop's own PID submits nothing (its dd children do): nothing may be counted
check "the filtered view counts none of the other processes' I/O" \
	wait_for 5 eval 'screen color | grep -q "no process submitted I/O here" &&
			 screen color | grep -q "IOPS 0 "'
tm send-keys -t $s p
tm send-keys -t $s Enter
check "an empty PID prompt clears the filter" wait_for 5 has $s "pid: all"
tm send-keys -t $s 4
check "4 switches to the Slow queries panel" wait_for 5 has $s "servers:"
tm send-keys -t $s 3
check "3 switches back to Block I/O" wait_for 5 has $s "disk all"
tm send-keys -t $s q
check "q quits (its tmux session closes)" wait_for 10 eval '! tm has-session -t color 2>/dev/null'
finish
