#!/usr/bin/env bash
# End to end: the Block I/O panel of a recording (-w) of 1000 direct writes to a loop device,
# replayed on the screen (-r) in tmux by an unprivileged user, is the live panel fed the
# recorded models: c adds the intervals up from the first to the shown one, > selects the
# loop device as live, its histogram's counts add up to the writes the recorded JSON counted
# for it, w switches to device time, and c again shows the interval alone.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

need_tools python3 dd losetup
loop_new 64M || { not_ok "losetup -f over $work/disk.img"; finish; }
name=${loop#/dev/}
note "loop device $loop"
"$KTOP" -b -P bio -d 0.5 -n 6 -f json -o "$work/live.json" -w "$work/bio.ktop" 2>"$work/rec.err" &
rec=$!
pids+=("$rec")
wait_for 30 eval 'test -s "$work/live.json"' ||
	{ not_ok "the recording starts: $(head -2 "$work/rec.err")"; finish; }
dd if=/dev/zero of="$loop" bs=4k count=1000 oflag=direct status=none
wait "$rec" || { not_ok "recording the writes: $(head -2 "$work/rec.err")"; finish; }
chown nobody "$work/bio.ktop" && chmod 755 "$work"
# the writes the recording holds for the loop device, every interval
want=$("$KTOP" -r "$work/bio.ktop" -b -P bio -f json 2>/dev/null | python3 -c '
import json, sys
print(sum(d["ios"] for l in sys.stdin for d in json.loads(l)["disks"] if d["name"] == sys.argv[1]))
' "$name")
note "the recorded intervals hold ${want:-no} I/Os on $name (dd wrote 1000)"
check "the recording holds the 1000 writes" test "${want:-0}" -ge 1000

screen() { tm capture-pane -p -t rb; }
has() { screen | grep -qF -- "$1"; }
key() { tm send-keys -t rb "$@"; }
# The sum of the counts of the histogram shown (rows "LOW -> HIGH  COUNT  bar").
hist_sum() { screen | awk '$2 == "->" && $4 ~ /^[0-9]+$/ { n += $4 } END { print n + 0 }'; }

tm -f /dev/null new-session -d -s rb -x 120 -y 45 \
	"env -i PATH=$PATH HOME=/ TERM=screen-256color LANG=C.UTF-8 setpriv --reuid nobody \
	--regid nogroup --clear-groups $KTOP -r $work/bio.ktop -P bio" || { not_ok "tmux"; finish; }
check "as nobody, the Block I/O panel is drawn live: every disk, interval 1" \
	wait_for 15 eval 'has "interval 1 of 6" && has "disk all ◂▸"'
key +
wait_for 5 has "interval 6 of 6"
key c
check "c: the intervals added up from the first to the shown one" \
	wait_for 5 has "(intervals 1-6)"
for _ in 1 2 3 4 5 6; do
	has "disk $name " && break
	key '>'
	sleep 0.3
done
check "> selects the loop device, as live" wait_for 5 has "disk $name "
check "its histogram counts the ${want:-?} recorded writes" \
	wait_for 5 eval 'test "$(hist_sum)" = "${want:-none}"'
[ "$(hist_sum)" = "${want:-none}" ] || note "the histogram shown counts $(hist_sum)"
key w
check "w: device time only" wait_for 5 has "time device"
key c
check "c again: the interval shown alone" \
	wait_for 5 eval '! has "(intervals 1-6)" && has "interval 6 of 6"'
key q
check "q quits" wait_for 10 eval '! tm has-session -t rb 2>/dev/null'
finish
