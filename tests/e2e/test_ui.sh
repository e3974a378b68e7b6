#!/usr/bin/env bash
# End to end: ktop in tmux on a real kernel. Covers the Block I/O panel filling during direct
# I/O on a loop device, help, pause freezing the view, s saving what the screen shows, the PID
# prompt refusing junk, the too-small message on resize, and q and SIGHUP both restoring the
# terminal and leaving no BPF program loaded.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

screen() { tm capture-pane -p -t ktop; }
screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen | grep -qF -- "$1"; }
# The histogram rows on screen ("  256 -> 511   900 ███").
hist_rows() { screen | grep -E '^ +[0-9]+ -> [0-9.]+ +[0-9]+'; }
ktop_pid() { pgrep -f "^$KTOP -P bio -d 0.5" | head -1; }
start_ktop() {
	tm send-keys -t ktop "clear; $KTOP -P bio -d 0.5; echo KTOP_EXIT=\$?" Enter
	wait_for 15 screen_has "Block I/O" && wait_for 10 screen_has "usecs"
}

loop_new 256M || { not_ok "losetup"; finish; }
loopname=$(basename "$loop")
writer_start 2000

tm -f /dev/null new-session -d -s ktop -x 100 -y 30 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 \
	 KTOP_EXPORT_DIR=$work bash --norc --noprofile" || { not_ok "tmux"; finish; }
tm set-option -t ktop remain-on-exit on >/dev/null

check "ktop starts on the Block I/O panel" start_ktop
check "the loop device's I/O shows up by disk and process" \
	wait_for 15 eval "screen | grep -q '$loopname' && screen | grep -qE '^ +[0-9]+ +dd '"
check "histogram rows are drawn" wait_for 5 eval 'hist_rows | grep -q .'
check "tabs and footer are drawn" eval 'screen | grep -q "3 Block I/O" && screen | grep -q "F1 Help"'

tm send-keys -t ktop F1
check "F1 opens the help screen" wait_for 5 screen_has "ktop help"
check "help lists the panel's own keys" screen_has "latency or I/O size histogram"
tm send-keys -t ktop x
check "any key closes help" wait_for 5 screen_lacks "ktop help"

tm send-keys -t ktop Space
check "Space pauses" wait_for 5 screen_has "PAUSED"
before=$(hist_rows)
sleep 1.5 # three refresh intervals pass while paused
after=$(hist_rows)
check "the paused view does not change while I/O goes on" test "$before" = "$after"
note "before: $before"

tm send-keys -t ktop s
check "s saves a snapshot and says where" wait_for 5 screen_has "saved $work/ktop-"
file=$(ls "$work"/ktop-*.txt 2>/dev/null | head -1)
check "the export file is mode 0600" test "$(stat -c %a "$file" 2>/dev/null)" = 600
missing=0
while IFS= read -r row; do
	grep -qxF -- "$(printf '%s' "$row" | sed 's/ *$//')" "$file" || missing=$((missing + 1))
done <<<"$(hist_rows)"
check "every histogram row on screen is in the file" test "$missing" = 0 -a -n "$(hist_rows)"
tm send-keys -t ktop Space
check "Space resumes" wait_for 5 screen_lacks "PAUSED"

tm send-keys -t ktop p
check "p opens the PID prompt" wait_for 5 screen_has "PID filter"
tm send-keys -t ktop -l "abc"
tm send-keys -t ktop Enter
check "a non-numeric PID is refused with a message" wait_for 5 screen_has "not a number"
tm send-keys -t ktop Escape
check "Esc closes the prompt" wait_for 5 screen_lacks "not a number"

tm resize-window -t ktop -x 60 -y 20
check "a 60x20 terminal gets the too-small message" wait_for 5 screen_has "terminal too small"
tm resize-window -t ktop -x 100 -y 30
check "back at 100x30 the panel returns" wait_for 5 screen_has "3 Block I/O"

tm send-keys -t ktop q
check "q quits with status 0" wait_for 10 screen_has "KTOP_EXIT=0"
check "the terminal left the alternate screen" \
	test "$(tm display-message -p -t ktop '#{alternate_on}')" = 0
check "no BPF program is left after q" wait_for 5 eval '! ktop_progs_loaded'

check "ktop starts again" start_ktop
pid=$(ktop_pid)
note "ktop pid: $pid"
kill -HUP "$pid"
check "SIGHUP ends ktop (status 129)" wait_for 10 screen_has "KTOP_EXIT=129"
check "the terminal left the alternate screen after SIGHUP" \
	test "$(tm display-message -p -t ktop '#{alternate_on}')" = 0
check "no BPF program is left after SIGHUP" wait_for 5 eval '! ktop_progs_loaded'
finish
