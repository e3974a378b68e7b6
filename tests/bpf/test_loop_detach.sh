#!/usr/bin/env bash
# A loop device detached (losetup -d) while direct writes to it are in flight, then removed,
# under ktop's Block I/O panel (batch, JSON): ktop goes on printing snapshots with no error,
# the disk is listed with its writes while they run, and once it is removed it leaves the
# table (absent, or marked gone) in every later snapshot.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

extra=""  # the loop device's index while it exists
ktop=""
dd_pid=""
cleanup() {
	[ -n "$dd_pid" ] && { kill "$dd_pid"; pkill -P "$dd_pid" -x dd; } 2>/dev/null
	[ -n "$ktop" ] && kill "$ktop" 2>/dev/null
	wait 2>/dev/null
	if [ -n "$extra" ]; then
		losetup -d "/dev/loop$extra" 2>/dev/null
		wait_for 5 remove_loop "$extra"
	fi
	cleanup_test
}
trap cleanup EXIT
lines() { wc -l <"$work/out" 2>/dev/null || echo 0; }
# disk_ios NAME LINE: the ios of disk NAME in snapshot LINE ("" when not listed).
disk_ios() {
	sed -n "${2}p" "$work/out" | python3 -c 'import json, sys
for d in json.loads(sys.stdin.read())["disks"]:
    if d["name"] == sys.argv[1]: print(d["ios"])' "$1" 2>/dev/null
}
# listed_with_ios NAME: the last snapshot lists disk NAME with some I/O.
listed_with_ios() { [ "$(disk_ios "$1" "$(lines)")" -gt 0 ] 2>/dev/null; }

truncate -s 256M "$work/d.img"
extra=$(loop_add_high)
if [ -z "$extra" ] || ! wait_for 5 test -b "/dev/loop$extra" ||
	! losetup "/dev/loop$extra" "$work/d.img"; then
	not_ok "a new loop device over $work/d.img"
	finish
fi
name=loop$extra
"$KTOP" -b -P bio -d 0.5 -f json >"$work/out" 2>"$work/err" &
ktop=$!
wait_for 45 eval '[ "$(lines)" -ge 1 ]' ||
	{ not_ok "ktop prints a first snapshot ($(head -2 "$work/err"))"; finish; }
# 4 KiB direct writes over the whole device, again and again: in flight when it is detached
(while :; do
	dd if=/dev/zero of="/dev/$name" bs=4k count=65536 oflag=direct status=none 2>/dev/null ||
		exit 0
done) &
dd_pid=$!
check "the disk $name is listed with its writes while they run" wait_for 30 listed_with_ios "$name"
losetup -d "/dev/$name"
check "the device is detached while writes are in flight (a dd still running)" \
	eval 'pgrep -P "$dd_pid" -x dd >/dev/null'
sleep 1
pkill -P "$dd_pid" -x dd
kill "$dd_pid" 2>/dev/null
wait "$dd_pid" 2>/dev/null
dd_pid=""
check "the detached device is removed" wait_for 10 remove_loop "$extra"
extra=""
mark=$(lines)
check "ktop goes on: two more snapshots after the removal" \
	wait_for 30 eval '[ "$(lines)" -ge $((mark + 3)) ]'
check "ktop is still running" kill -0 "$ktop"
check "once removed, the disk leaves the table (absent, or marked gone)" \
	python3 - "$work/out" "$name" "$mark" <<'PY'
import json, sys
path, name, mark = sys.argv[1], sys.argv[2], int(sys.argv[3])
snaps = [json.loads(l) for l in open(path)]
later = snaps[mark + 1:]
assert later, "no snapshot after the removal"
for i, s in enumerate(later):
    for d in s["disks"]:
        assert d["name"] != name or d["gone"] is True, (mark + 1 + i, d)
print("# later snapshots:", len(later), "listing", name, "as gone:",
      sum(1 for s in later for d in s["disks"] if d["name"] == name))
PY
kill -INT "$ktop"
wait "$ktop"
rc=$?
ktop=""
check "ktop ends normally on SIGINT (exit $rc)" test "$rc" = 0
check "ktop wrote nothing to stderr but its start line" \
	eval '! grep -v "tracing with" "$work/err" | grep -q .'
finish
