#!/usr/bin/env bash
# End to end: a recording (-w) replayed on the screen (-r) in tmux by an unprivileged user:
# the header names the recorded host and moment with the interval's number, Right/Left and
# +/- step one interval and ten on a panel replayed as its recorded text, the number keys switch
# panels, g jumps to a time, W saves the interval shown as a recording of its own (as the
# unprivileged user, mode 0600) that replays that very interval, Space plays at the recorded
# pace to the end, and q quits. The Off-CPU panel of a recording of the planted sleeper is the
# live panel fed the recorded models: its tree expands (Right) and is searched (/) as live, the
# expansion stays as , and . step intervals, and c shows the intervals added up over a range.
# And a recording made from the screen goes on while the screen is paused, with fresh figures;
# W on the live screen saves the moment, every panel, as a one-interval recording that ktop -r
# opens.
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
check "the Block I/O panel shows its disks" has "disk all"
# the Block I/O panel is drawn live from its model and takes Left/Right for its disks, as live:
# the steps below are on a panel replayed as recorded text (Trace)
key 6
key Right
check "Right: the next interval" wait_for 5 has "interval 2 of 6"
key +
check "+: ten on, stopped at the last" wait_for 5 has "interval 6 of 6"
key -
check "-: ten back, stopped at the first" wait_for 5 has "interval 1 of 6"
key 1
check "1: the Overview, drawn from its recorded model" wait_for 5 eval 'has "PID USER" && ! has "disk all"'
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

# --- the Off-CPU panel redrawn from its recorded models --------------------------------------
need_tools gcc
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$KTOP_TOP/tests/bpf/sleeper.c" || { not_ok "build sleeper"; finish; }
"$work/sleeper" chain 60 >"$work/sleeper.out" &
sleeper=$!
trap 'kill "$sleeper" 2>/dev/null; cleanup_test' EXIT
wait_for 15 grep -q ready "$work/sleeper.out" || { not_ok "the sleeper starts"; finish; }
"$KTOP" -b -P offcpu -d 0.5 -n 6 -p "$sleeper" -w "$work/off.ktop" >/dev/null 2>"$work/off.err" ||
	{ not_ok "recording the sleeper's off-CPU time: $(head -2 "$work/off.err")"; finish; }
chown nobody "$work/off.ktop"
tm -f /dev/null new-session -d -s off -x 120 -y 32 \
	"env -i PATH=$PATH HOME=/ TERM=screen-256color LANG=C.UTF-8 setpriv --reuid nobody \
	--regid nogroup --clear-groups $KTOP -r $work/off.ktop -P offcpu" || { not_ok "tmux"; finish; }
offscreen() { tm capture-pane -p -t off; }
offhas() { offscreen | grep -qF -- "$1"; }
offkey() { tm send-keys -t off "$@"; }
check "the Off-CPU panel is drawn live from its model: the sleeper's process, collapsed" \
	wait_for 15 eval 'offhas "Frame (outermost caller first)" && offhas "▸ sleeper ($sleeper)" &&
		offhas "interval 0.5s"'
check "nothing below the process before it is expanded" eval '! offhas "chain_a"'
offkey Down
offkey Right
check "Down, Right: the sleeper's process expands one level" \
	wait_for 5 eval 'offhas "▾ sleeper ($sleeper)" && ! offhas "chain_a"'
offkey /
check "/ asks for a search" wait_for 5 offhas "search (n: next"
tm send-keys -t off -l chain_c
offkey Enter
check "/ chain_c: the tree expands down to the frame searched" \
	wait_for 5 eval 'offhas "▾ chain_b" && offhas "chain_c"'
offkey .
check ".: the next interval, the tree still expanded to chain_c" \
	wait_for 5 eval 'offhas "interval 2 of 6" && offhas "chain_c"'
offkey .
wait_for 5 offhas "interval 3 of 6"
offkey c
# the first three intervals' totals, added up and written as the panel writes a time
want=$("$KTOP" -r "$work/off.ktop" -b -P offcpu -f json -n 3 2>/dev/null | python3 -c '
import json, sys
us = sum(json.loads(l)["total_us"] for l in sys.stdin)
print("%.0fus" % us if us < 1000 else "%.*fms" % (2 if us < 10000 else 1, us / 1000)
      if us < 1000000 else "%.2fs" % (us / 1e6))')
note "the first three intervals add up to ${want:-nothing}"
check "c: the intervals added up from the first to the shown one, the tree still expanded" \
	wait_for 5 eval 'offhas "(intervals 1-3)" && offhas " off-CPU ${want:-none}  " &&
		offhas "chain_c"'
offkey q
check "q quits the replay" wait_for 10 eval '! tm has-session -t off 2>/dev/null'

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
