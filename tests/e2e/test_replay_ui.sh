#!/usr/bin/env bash
# End to end: a recording (-w) replayed on the screen (-r) in tmux by an unprivileged user:
# the header names the recorded host and moment with the interval's number, Right/Left and
# +/- step one interval and ten, the number keys switch panels (each showing its recorded
# text), g jumps to a time, W saves the interval shown as a recording of its own (as the
# unprivileged user, mode 0600) that replays that very interval, Space plays at the recorded
# pace to the end, and q quits. And a recording made from the screen goes on while the screen
# is paused, with fresh figures; W on the live screen saves the moment, every panel, as a
# one-interval recording that ktop -r opens.
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
mkdir -p "$work/save" "$work/live-save" && chown nobody "$work/save"

tm -f /dev/null new-session -d -s rp -x 120 -y 32 \
	"env -i PATH=$PATH HOME=/ TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work/save \
	setpriv --reuid nobody \
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
key W
check "W saves the interval shown as a recording" wait_for 5 has "saved $work/save/ktop-"
saved=$(ls "$work"/save/ktop-*.ktop 2>/dev/null | head -1)
note "saved ${saved:-nothing}"
check "created by the replaying user, mode 0600" \
	eval 'test -n "$saved" && test "$(stat -c "%U %a" "$saved")" = "nobody 600"'
"$KTOP" -r "${saved:-none}" -b -P bio -f json >"$work/saved.json" 2>"$work/saved.err"
rc=$?
check "ktop -r opens it: one interval, the one shown" \
	eval 'test "$rc" = 0 && test "$(wc -l <"$work/saved.json")" = 1 &&
		cmp -s "$work/saved.json" <("$KTOP" -r "$work/rec.ktop" -b -P bio -f json 2>/dev/null |
			sed -n "$((before + 1))p")'
key Space
check "Space plays at the recorded pace to the end" wait_for 15 has "interval 6 of 6"
key q
check "q quits" wait_for 10 eval '! tm has-session -t rp 2>/dev/null'

# --- recorded from the screen, paused ---------------------------------------------------------
tm -f /dev/null new-session -d -s rp -x 120 -y 32 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 \
	KTOP_EXPORT_DIR=$work/live-save $KTOP -d 0.5 -w $work/ui.ktop" || { not_ok "tmux"; finish; }
wait_for 30 has "since reset"
sleep 1.2 # two intervals
key Space
wait_for 5 has PAUSED
paused_at=$(date +%s.%N)
sleep 2 # four intervals, paused
key W
check "W on the live screen saves the moment as a recording" \
	wait_for 5 has "saved $work/live-save/ktop-"
moment=$(ls "$work"/live-save/ktop-*.ktop 2>/dev/null | head -1)
key q
wait_for 10 eval '! tm has-session -t rp 2>/dev/null'
"$KTOP" -r "$work/ui.ktop" -b -P overview -f json >"$work/ui.json" 2>"$work/ui.err"
check "the screen's recording goes on while paused, with fresh figures each interval" \
	python3 - "$work/ui.json" "$paused_at" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
late = [r for r in rows if r["time"] > float(sys.argv[2]) + 0.2]
print("# %d intervals, %d of them paused" % (len(rows), len(late)))
strip = lambda r: {k: v for k, v in r.items() if k not in ("time", "drops")}
sys.exit(0 if len(late) >= 2 and strip(late[-1]) != strip(late[-2]) else 1)
EOF
ok_panels=0
for p in overview offcpu bio sql stacks trace; do
	n=$("$KTOP" -r "${moment:-none}" -b -P "$p" -f json 2>/dev/null | wc -l)
	[ "$n" = 1 ] && ok_panels=$((ok_panels + 1))
done
check "the saved moment replays: one interval of each of the 6 panels ($ok_panels)" \
	test "$ok_panels" = 6 -a "$(stat -c %a "${moment:-none}" 2>/dev/null)" = 600
finish
