#!/usr/bin/env bash
# Exports and recordings on a full filesystem (a small tmpfs), and into places ktop must not
# write. Full: `s`, F and P in the UI say "save failed" in one line and leave no file; batch -o
# (JSON) stops with one line and keeps only whole snapshots (or no file); -f pprof -o leaves no
# partial profile under any name; a recording (-w) stops with one line and what it kept stays
# readable. Refused, nothing written or overwritten: an export directory (KTOP_EXPORT_DIR, the
# directory of -o or -w) that is a symlink, and an -o, -w or pprof file name that exists.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

mnt=$work/full
trap 'tm kill-server 2>/dev/null; umount "$mnt" 2>/dev/null; cleanup_test' EXIT
mkdir -p "$mnt" && mount -t tmpfs -o size=1m,mode=0755 ktop-test-full "$mnt" ||
	{ not_ok "mount a 1 MiB tmpfs on $mnt"; finish; }

# fill_leaving KIB: fill the tmpfs, then free KIB KiB of it.
fill_leaving() {
	rm -f "$mnt/fill" "$mnt/pad"
	[ "$1" -gt 0 ] && dd if=/dev/zero of="$mnt/pad" bs=1k count="$1" status=none
	dd if=/dev/zero of="$mnt/fill" bs=4k status=none 2>/dev/null
	rm -f "$mnt/pad"
}
# only_files DIR NAME...: DIR holds exactly these names (and "fill").
only_files() {
	local got want
	got=$(ls -A "$1" | grep -vx fill | sort | tr '\n' ' ')
	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || { note "found: '$got', expected: '$want'"; return 1; }
}
# one_line FILE TEXT: besides batch's start line, FILE has exactly one line, holding TEXT.
one_line() {
	local rest
	rest=$(grep -v ': tracing with ' "$1")
	[ "$(printf '%s\n' "$rest" | wc -l)" = 1 ] && grep -qF -- "$2" <<<"$rest" ||
		{ note "$1: $(head -3 "$1" | tr '\n' '|')"; return 1; }
}

# --- batch -o on a full disk: one line, only whole snapshots kept
fill_leaving 8
"$KTOP" -b -P overview -d 0.5 -n 3 -f json -o "$mnt/out.json" 2>"$work/err" >/dev/null
rc=$?
check "-o on a full disk: ktop fails (exit $rc)" test "$rc" = 1
check "-o on a full disk: one line on stderr says so" one_line "$work/err" "No space left"
if [ -e "$mnt/out.json" ]; then
	check "-o on a full disk: the file kept holds whole JSON snapshots only" python3 -c '
import json, sys
data = open(sys.argv[1]).read()
assert data.endswith("\n"), "a partial last line"
for l in data.splitlines():
    json.loads(l)' "$mnt/out.json"
else
	ok "-o on a full disk: no file is left (no whole snapshot fitted)"
fi
rm -f "$mnt/out.json"

# --- pprof -o on a full disk: no partial profile under any name
fill_leaving 0
"$KTOP" -b -P offcpu -d 0.5 -n 2 -f pprof -o "$mnt/p.pb.gz" 2>"$work/err" >/dev/null
rc=$?
check "-f pprof -o on a full disk: ktop fails (exit $rc)" test "$rc" = 1
check "-f pprof -o on a full disk: one line on stderr says so" one_line "$work/err" "No space left"
check "-f pprof -o on a full disk: no file is left" only_files "$mnt"

# --- -w on a full disk: one line, what was written stays readable
# (room for a few intervals; how many depends on the box, ~1 KB an interval on a quiet one, so
# ktop records until the disk is full and is stopped once it says so; the first interval is
# compressed alone, every panel's exports and models: 13 to 21 KB on a busy box of a few
# hundred processes, so 16 KiB left none there and the file held no interval to read back)
fill_leaving 128
"$KTOP" -b -P overview -d 0.1 -n 3000 -f none -w "$mnt/rec" 2>"$work/err" >/dev/null &
kpid=$!
check "-w on a full disk: a line says the recording stopped" \
	wait_for 240 grep -q 'recording stopped.*No space' "$work/err" ||
	note "stderr: $(head -3 "$work/err")"
sleep 0.5
kill -INT "$kpid" 2>/dev/null
wait "$kpid"
check "-w on a full disk: that line is the only one about it" \
	test "$(grep -c -- '-w' "$work/err")" = 1
if [ -e "$mnt/rec" ]; then
	check "-w on a full disk: the file kept reads back" \
		"$KTOP" -r "$mnt/rec" -b -P overview -f json -o "$work/replay.json" 2>/dev/null
else
	ok "-w on a full disk: no file is left"
fi
rm -f "$mnt/rec"

# --- s, F and P in the UI on a full disk: one line, no file
fill_leaving 0
tm -f /dev/null new-session -d -s full -x 140 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$mnt \
	 $KTOP -P offcpu -d 0.5" || { not_ok "tmux"; finish; }
screen_has() { tm capture-pane -p -t full | grep -qF -- "$1"; }
if wait_for 30 screen_has "Off-CPU"; then
	for key in s F P; do
		tm send-keys -t full "$key"
		check "$key on a full disk: the footer says the save failed" \
			wait_for 15 screen_has "save failed: $mnt/ktop-"
		check "$key on a full disk: no file is left" only_files "$mnt"
		tm send-keys -t full Escape
		sleep 0.5
	done
else
	not_ok "ktop starts in tmux ($(tm capture-pane -p -t full | head -3 | tr '\n' ' '))"
fi
rm -f "$mnt/fill"

# --- a symlinked export directory: refused, nothing written through it
mkdir "$work/real"
ln -s "$work/real" "$work/link"
tm send-keys -t full q
wait_for 10 eval '! tm has-session -t full 2>/dev/null'
tm -f /dev/null new-session -d -s link -x 140 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work/link \
	 $KTOP -P offcpu -d 0.5" || { not_ok "tmux"; finish; }
if wait_for 30 eval 'tm capture-pane -p -t link | grep -qF Off-CPU'; then
	tm send-keys -t link s
	check "s into a symlinked KTOP_EXPORT_DIR: refused, the footer says why" \
		wait_for 15 eval 'tm capture-pane -p -t link | grep -qF "is a symlink"'
else
	not_ok "ktop starts in tmux ($(tm capture-pane -p -t link | head -3 | tr '\n' ' '))"
fi
tm send-keys -t link q
"$KTOP" -b -P overview -d 0.5 -n 1 -f json -o "$work/link/out.json" 2>"$work/err" >/dev/null
rc=$?
check "-o into a symlinked directory: refused (exit $rc) in one line" \
	eval 'test "$rc" = 2 && one_line "$work/err" "is a symlink"'
"$KTOP" -b -P offcpu -d 0.5 -n 1 -f pprof -o "$work/link/p.pb.gz" 2>"$work/err" >/dev/null
rc=$?
check "-f pprof -o into a symlinked directory: refused (exit $rc) in one line" \
	eval 'test "$rc" = 2 && one_line "$work/err" "is a symlink"'
"$KTOP" -b -P overview -d 0.5 -n 1 -f none -w "$work/link/rec" 2>"$work/err" >/dev/null
rc=$?
check "-w into a symlinked directory: refused (exit $rc), saying why" \
	eval 'test "$rc" != 0 && grep -qF "is a symlink" "$work/err"'
check "nothing was written through the symlink" only_files "$work/real"

# --- a file name that exists: refused, nothing overwritten
for f in out.json p.pb.gz p.pb.gz.1 rec; do echo "precious $f" >"$work/real/$f"; done
sum_before=$(cat "$work/real"/* | md5sum)
"$KTOP" -b -P overview -d 0.5 -n 1 -f json -o "$work/real/out.json" 2>"$work/err" >/dev/null
check "-o an existing file: refused (exit $?)" one_line "$work/err" "exists"
"$KTOP" -b -P offcpu -d 0.5 -n 1 -f pprof -o "$work/real/p.pb.gz" 2>"$work/err" >/dev/null
check "-f pprof -o an existing file: refused before it starts (exit $?)" \
	one_line "$work/err" "exists"
"$KTOP" -b -P overview -d 0.5 -n 1 -f none -w "$work/real/rec" 2>"$work/err" >/dev/null
check "-w an existing file: refused (exit $?)" grep -qF "File exists" "$work/err"
check "no existing file was changed" test "$(cat "$work/real"/* | md5sum)" = "$sum_before"
finish
