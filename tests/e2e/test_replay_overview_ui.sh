#!/usr/bin/env bash
# End to end: the Overview of a recording (-w) of the planted burner and sleeper, replayed on
# the screen (-r) in tmux by an unprivileged user, is the live panel fed the recorded models:
# I reverses the sort (the order changes), H shows the burner's threads (its "sleepy" thread,
# found by /), G groups the rows by cgroup, p keeps one process's row, t hides the idle rows,
# K shows the kernel threads' choice, and c adds each process's time up over the intervals from the first to the shown
# one. The Off-CPU panel of the same recording saves the stacks shown with F (folded lines)
# and P (a pprof profile that go tool pprof reads), as the unprivileged user, mode 0600.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

need_tools gcc python3 go
start_burner 120 || finish
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$KTOP_TOP/tests/bpf/sleeper.c" || { not_ok "build sleeper"; finish; }
"$work/sleeper" chain 120 >"$work/sleeper.out" &
sleeper=$!
pids+=("$sleeper")
wait_for 15 grep -q ready "$work/sleeper.out" || { not_ok "the sleeper starts"; finish; }
"$KTOP" -b -P overview -d 0.5 -n 6 -p "$burner,$sleeper" -w "$work/ov.ktop" >/dev/null \
	2>"$work/ov.err" ||
	{ not_ok "recording the burner and sleeper: $(head -2 "$work/ov.err")"; finish; }
mkdir -p "$work/save" && chown nobody "$work/ov.ktop" "$work/save" && chmod 755 "$work"

screen() { tm capture-pane -p -t ro; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
key() { tm send-keys -t ro "$@"; }
# The first row of the process table (the line below its titles).
first_row() { screen | awk '/ PID USER /{ getline; print; exit }'; }

tm -f /dev/null new-session -d -s ro -x 140 -y 40 \
	"env -i PATH=$PATH HOME=/ TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work/save \
	setpriv --reuid nobody --regid nogroup --clear-groups $KTOP -r $work/ov.ktop -P overview" ||
	{ not_ok "tmux"; finish; }
check "as nobody, the Overview is drawn live from its model: 2 processes, the burner first" \
	wait_for 15 eval 'has "interval 1 of 6" && has "2 processes  sort busy" &&
		first_row | grep -qE "^ +$burner .* burner\$"'
key I
check "I: the sort reversed, the sleeper now first" \
	wait_for 5 eval 'has "sort busy (reversed)" &&
		first_row | grep -qE "^ +$sleeper .* sleeper\$"'
key I
key /
wait_for 5 has "search (n: next"
tm send-keys -t ro -l sleepy
key Enter
check "/ sleepy finds no process: the burner's thread is not a row of its own" \
	wait_for 5 has "matches 'sleepy'"
key Escape
key H
check "H: one row a thread, the burner's sleepy thread among them" \
	wait_for 5 eval 'has " threads  sort busy" && has " sleepy"'
key H
key G
check "G: the rows grouped by cgroup, a group's header first" \
	wait_for 5 eval 'has "grouped by cgroup" && first_row | grep -qE "^ +group "'
key G
key p
wait_for 5 has "PID filter (comma"
tm send-keys -t ro -l "$sleeper"
key Enter
check "p SLEEPER: the sleeper's row alone" \
	wait_for 5 eval 'has "1 processes" && first_row | grep -qE "^ +$sleeper .* sleeper\$"'
key p
wait_for 5 has "PID filter (comma"
key Enter
check "p, empty: every row again" wait_for 5 has "2 processes"
key t
wait_for 5 has "minimum busy time"
tm send-keys -t ro -l 0.5
key Enter
check "t 0.5: only the busy burner is left" \
	wait_for 5 eval 'has "1 processes" && has "min busy 0.50 s/s" && lacks " sleeper"'
key K
check "K: kernel threads shown, as live" wait_for 5 has "kernel threads shown"
key .
key .
wait_for 5 has "interval 3 of 6"
key c
# the first three intervals' length and the burner's busy time over them, as the panel
# prints them (s/s over the range, two decimals; the JSON's milliseconds may round a
# hundredth the other way)
read -r secs want < <("$KTOP" -r "$work/ov.ktop" -b -P overview -f json -n 3 2>/dev/null |
	python3 -c '
import json, sys
busy = secs = 0
for line in sys.stdin:
    o = json.loads(line)
    secs += o["interval_s"]
    for p in o["processes"]:
        if p["pid"] == int(sys.argv[1]):
            busy += p["busy_ms"] / 1000
print("%.1f %.3f" % (secs, busy / secs) if secs else "")' "$burner")
note "the first three intervals: ${secs:-?} s, the burner busy ${want:-?} s/s"
# busy_near: whether the burner's BUSY cell (the first row's 14th field) is within 0.011 of want
busy_near() {
	first_row | awk -v w="${want:-0}" '{ d = $14 - w; exit !(d < 0.011 && d > -0.011) }'
}
check "c: the intervals added up from the first to the shown one, the burner's busy time" \
	wait_for 5 eval 'has "(intervals 1-3)" && has "interval ${secs:-none}s" && busy_near'
has "(intervals 1-3)" && ! busy_near && note "first row: $(first_row)"
key 2
check "2: the Off-CPU panel of the same recording, live" \
	wait_for 5 has "Frame (outermost caller first)"
key F
check "F saves the shown stacks as folded lines" wait_for 5 has "saved $work/save/ktop-"
folded=$(ls "$work"/save/ktop-*.folded 2>/dev/null | head -1)
check "the folded file holds the sleeper's stack, made by nobody with mode 0600" \
	eval 'test -n "$folded" && grep -q "chain_c" "$folded" &&
		test "$(stat -c "%U %a" "$folded")" = "nobody 600"'
key P
check "P saves the shown stacks as a pprof profile" wait_for 5 has ".pb.gz"
prof=$(ls "$work"/save/ktop-*.pb.gz 2>/dev/null | head -1)
export HOME="$work/home" GOCACHE="$work/gocache" GOPATH="$work/gopath"
mkdir -p "$HOME"
go tool pprof -top -nodecount=500 "${prof:-none}" >"$work/top" 2>"$work/top.err"
check "go tool pprof -top reads it: the sleeper's chain_c" \
	eval 'grep -q chain_c "$work/top" || { head -3 "$work/top.err"; false; }'
key q
check "q quits" wait_for 10 eval '! tm has-session -t ro 2>/dev/null'
finish
