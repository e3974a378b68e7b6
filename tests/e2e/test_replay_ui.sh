#!/usr/bin/env bash
# End to end: a recording (-w) replayed on the screen (-r) in tmux by an unprivileged user:
# the header names the recorded host and moment with the interval's number, Right/Left and
# +/- step one interval and ten, the number keys switch panels (each showing its recorded
# text), g jumps to a time, Space plays at the recorded pace to the end, and q quits.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

screen() { tm capture-pane -p -t rp; }
has() { screen | grep -qF -- "$1"; }
key() { tm send-keys -t rp "$@"; }

"$KTOP" -b -P bio -d 0.5 -n 6 -w "$work/rec.ktop" >/dev/null 2>"$work/rec.err" ||
	{ not_ok "recording 6 intervals: $(head -2 "$work/rec.err")"; finish; }
"$KTOP" -r "$work/rec.ktop" -b -P bio -f json >/dev/null 2>"$work/describe"
# "ktop: FILE: recorded on HOST (KERNEL), 6 intervals HH:MM:SS-HH:MM:SS; replaying 6"
first=$(sed -n 's/.* intervals \([0-9:]*\)-.*/\1/p' "$work/describe")
before=$("$KTOP" -r "$work/rec.ktop" -b -P bio -f json --to +1s 2>/dev/null | wc -l)
[ -n "$first" ] || { not_ok "the batch replay describes the recording: $(cat "$work/describe")"; finish; }
chown nobody "$work/rec.ktop" && chmod 755 "$work"

tm -f /dev/null new-session -d -s rp -x 120 -y 32 \
	"env -i PATH=$PATH HOME=/ TERM=screen-256color LANG=C.UTF-8 setpriv --reuid nobody \
	--regid nogroup --clear-groups $KTOP -r $work/rec.ktop -P bio" || { not_ok "tmux"; finish; }
check "as nobody, the header names the recording, its first moment and interval 1 of 6" \
	wait_for 15 eval 'has "ktop replay  $(uname -n)" && has "$first  interval 1 of 6"'
check "the Block I/O panel shows its recorded text" has "disk all"
key Right
check "Right: the next interval" wait_for 5 has "interval 2 of 6"
key +
check "+: ten on, stopped at the last" wait_for 5 has "interval 6 of 6"
key -
check "-: ten back, stopped at the first" wait_for 5 has "interval 1 of 6"
key 1
check "1: the Overview's recorded text" wait_for 5 eval 'has "PID USER" && ! has "disk all"'
key g
check "g asks for a time" wait_for 5 has "go to (HH:MM:SS"
tm send-keys -t rp -l "+1s"
key Enter
note "intervals up to 1 s after the first: $before"
check "g +1s: the first interval after it" wait_for 5 has "interval $((before + 1)) of 6"
key Space
check "Space plays at the recorded pace to the end" wait_for 15 has "interval 6 of 6"
key q
check "q quits" wait_for 10 eval '! tm has-session -t rp 2>/dev/null'
finish
