#!/usr/bin/env bash
# Record and replay (-w, -r) on the real kernel: 6 s of a known workload (the planted sleeper
# and 1000 direct writes to a loop device) recorded while live batch mode prints it; the replay
# prints the same bytes (JSON and text), the writes add up to 1000 and the sleeper's stack is
# there (the Off-CPU folded lines, written from the recorded model, are live batch's bytes); the
# replay runs as an unprivileged user with no bpf() call; a recording killed with
# SIGKILL replays every interval it printed; a cut and a byte-flipped file replay the intervals
# before the damage and name its byte offset; --keep holds only its span; a full disk stops
# the recording with one line and leaves a readable file; --record narrows the panels recorded
# (said in the header); -w never overwrites or follows a symlink.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

mnt=""    # the small tmpfs of the full-disk case
cleanup() {
	kill_pids
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	cleanup_test
}
trap cleanup EXIT

# same FILE1 FILE2: the two files are equal, else their first difference as notes.
same() {
	cmp -s "$1" "$2" && return 0
	note "$(cmp "$1" "$2" 2>&1 | head -1)"
	return 1
}
# frame_offset FILE N: the byte offset of frame N (0-based) of a recording, from its format:
# a 192-byte header, then frames of a 40-byte header and the length at its byte 8.
frame_offset() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, want = 192, int(sys.argv[2])
for i in range(want):
    off += 40 + struct.unpack_from("<I", data, off + 8)[0]
print(off)
EOF
}

gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$KTOP_TOP/tests/bpf/sleeper.c" || { not_ok "build sleeper"; finish; }
loop_new 64M || { not_ok "losetup -f over $work/disk.img"; finish; }
name=${loop#/dev/}
note "loop device $loop"

# --- 6 s recorded while live batch prints the Block I/O panel --------------------------------
"$work/sleeper" chain 30 >"$work/sleeper.out" &
pids+=("$!")
wait_for 15 has_line "$work/sleeper.out" ready
"$KTOP" -b -P bio -f json -d 1 -n 6 -w "$work/rec.ktop" >"$work/live.json" 2>"$work/live.err" &
ktop_pid=$!
pids+=("$ktop_pid")
if wait_for 60 has_line "$work/live.err" "ktop: bio: tracing with"; then
	dd if=/dev/zero of="$loop" bs=4k count=1000 oflag=direct status=none
	note "dd exit $?"
else
	note "ktop did not start: $(head -3 "$work/live.err")"
fi
wait "$ktop_pid"
check "ktop -w -b records 6 intervals and exits 0" test $? = 0 -a -s "$work/rec.ktop"
check "the recording is mode 0600" test "$(stat -c %a "$work/rec.ktop" 2>/dev/null)" = 600
check "live batch printed 6 JSON lines" test "$(wc -l <"$work/live.json")" = 6

"$KTOP" -r "$work/rec.ktop" -b -P bio -f json >"$work/replay.json" 2>"$work/replay.err"
rc=$?
note "$(head -1 "$work/replay.err")"
check "the replay exits 0" test "$rc" = 0
check "the replayed JSON is byte for byte what live batch printed" \
	same "$work/live.json" "$work/replay.json"
check "the 1000 direct writes add up in the replayed intervals (1000 to 1005)" \
	python3 - "$work/replay.json" "$name" <<'EOF'
import json, sys
total = 0
for line in open(sys.argv[1]):
    for d in json.loads(line).get("disks", []):
        if d["name"] == sys.argv[2]:
            total += d.get("ops", {}).get("write", {}).get("ios", 0)
print("# writes on", sys.argv[2], "in the replay:", total)
sys.exit(0 if 1000 <= total <= 1005 else 1)
EOF
"$KTOP" -r "$work/rec.ktop" -b -P offcpu -f folded >"$work/replay.folded" 2>/dev/null
check "the Off-CPU panel was recorded too: the sleeper's stack, in order" \
	grep -qE '^sleeper;.*main;chain_a;chain_b;chain_c(;|$)' "$work/replay.folded"
# a batch recording keeps the Off-CPU model, not its folded lines: they are written from it
"$KTOP" -b -P offcpu -f folded -d 0.5 -n 4 -p "${pids[0]}" -w "$work/off.ktop" \
	>"$work/off-live.folded" 2>"$work/off-live.err"
"$KTOP" -r "$work/off.ktop" -b -P offcpu -f folded >"$work/off-replay.folded" 2>/dev/null
note "$(wc -l <"$work/off-live.folded") folded lines live; $(head -1 "$work/off-live.err")"
check "the Off-CPU folded lines written from the recorded model are live batch's, byte for byte" \
	eval 'test -s "$work/off-live.folded" && same "$work/off-live.folded" "$work/off-replay.folded"'
"$KTOP" -r "$work/rec.ktop" -b -P bio -f text >"$work/replay.txt" 2>/dev/null
check "text replay: 6 snapshots of the Block I/O panel naming the loop device" \
	test "$(grep -c '^ktop ' "$work/replay.txt")" = 6 -a "$(grep -c "$name" "$work/replay.txt")" -ge 1
"$KTOP" -r "$work/rec.ktop" -b -P bio -f json --from +2s --to +3s >"$work/range.json" 2>/dev/null
check "--from +2s --to +3s: live's intervals 2 to 3 s after the first, in one run" \
	python3 - "$work/live.json" "$work/range.json" <<'EOF'
import json, sys
live = open(sys.argv[1]).read().splitlines()
got = open(sys.argv[2]).read().splitlines()
t0 = json.loads(live[0])["time"]
at = [round(json.loads(g)["time"] - t0, 3) for g in got]
print("# replayed intervals at", at, "s after the first")
# exactly live's lines from 2 to 3 s after the first (a loaded box may shift the schedule)
inner = [l for l in live if 2.001 <= json.loads(l)["time"] - t0 <= 2.999]
ok = 1 <= len(got) and all(1.999 <= t <= 3.001 for t in at)
ok = ok and all(l in got for l in inner)
ok = ok and any(live[i:i + len(got)] == got for i in range(len(live)))
sys.exit(0 if ok else 1)
EOF

# --- the replay as nobody: no root, no bpf() ------------------------------------------------
cp "$work/rec.ktop" "$work/nobody.ktop" && chown nobody "$work/nobody.ktop" && chmod 755 "$work"
strace -f -qq -e trace=bpf -o "$work/strace.out" \
	setpriv --reuid nobody --regid nogroup --clear-groups "$KTOP" -r "$work/nobody.ktop" -b -P bio -f json >"$work/nobody.json" 2>"$work/nobody.err"
rc=$?
[ "$rc" = 0 ] || note "$(head -3 "$work/nobody.err")"
check "an unprivileged user replays the same JSON" \
	eval 'test "$rc" = 0 && same "$work/live.json" "$work/nobody.json"'
check "and the replay makes no bpf() call" \
	eval 'test -f "$work/strace.out" && ! grep -q "bpf(" "$work/strace.out"'

# --- SIGKILL while recording ----------------------------------------------------------------
"$KTOP" -b -P offcpu -f json -d 0.5 -w "$work/kill.ktop" >"$work/kill.json" 2>"$work/kill.err" &
ktop_pid=$!
pids+=("$ktop_pid")
wait_for 60 lines_at_least "$work/kill.json" 4
kill -KILL "$ktop_pid"
wait "$ktop_pid" 2>/dev/null
"$KTOP" -r "$work/kill.ktop" -b -P offcpu -f json >"$work/kill-replay.json" 2>"$work/kill-replay.err"
rc=$?
printed=$(wc -l <"$work/kill.json")
note "printed $printed intervals before SIGKILL; replayed $(wc -l <"$work/kill-replay.json")"
check "after SIGKILL every interval printed replays, the same (exit 0)" \
	eval 'test "$rc" = 0 -a "$printed" -ge 4 && same "$work/kill.json" <(head -n "$printed" "$work/kill-replay.json")'

# --- a cut file and a flipped byte -----------------------------------------------------------
off3=$(frame_offset "$work/rec.ktop" 3)
head -c $((off3 + 60)) "$work/rec.ktop" >"$work/cut.ktop"
"$KTOP" -r "$work/cut.ktop" -b -P bio -f json >"$work/cut.json" 2>"$work/cut.err"
rc=$?
note "$(tail -1 "$work/cut.err")"
check "a cut file: exit 1, the 3 intervals before the cut replayed" \
	eval 'test "$rc" = 1 && same <(head -3 "$work/live.json") "$work/cut.json"'
check "and one line naming the byte offset of the cut frame ($off3)" \
	grep -q "bad frame at byte offset $off3: cut short" "$work/cut.err"
cp "$work/rec.ktop" "$work/flip.ktop"
printf '\xff' | dd of="$work/flip.ktop" bs=1 seek=$((off3 + 100)) conv=notrunc status=none
"$KTOP" -r "$work/flip.ktop" -b -P bio -f json >"$work/flip.json" 2>"$work/flip.err"
rc=$?
note "$(tail -1 "$work/flip.err")"
check "a flipped byte: exit 1, the 3 intervals before it replayed, its frame's offset named" \
	eval 'test "$rc" = 1 && same <(head -3 "$work/live.json") "$work/flip.json" &&
		grep -q "bad frame at byte offset $off3: payload checksum mismatch" "$work/flip.err"'
head -c 4096 /dev/urandom >"$work/junk.ktop"
"$KTOP" -r "$work/junk.ktop" -b >/dev/null 2>"$work/junk.err"
rc=$?
check "a file that is no recording: exit 2, said in one line" \
	eval 'test "$rc" = 2 && grep -q "not a ktop recording" "$work/junk.err" &&
		test "$(wc -l <"$work/junk.err")" = 1'

# --- --keep: a ring of the last 4 s over 12 s -------------------------------------------------
"$KTOP" -b -P overview -f json -d 0.5 -n 24 -w "$work/ring.ktop" --keep 4s \
	>"$work/ring-live.json" 2>"$work/ring.err"
check "the ring rotated into ring.ktop.prev" test -s "$work/ring.ktop.prev"
"$KTOP" -r "$work/ring.ktop" -b -P overview -f json >"$work/ring.json" 2>"$work/ring-replay.err"
rc=$?
kept=$(wc -l <"$work/ring.json")
note "kept $kept of $(wc -l <"$work/ring-live.json") intervals"
check "--keep 4s at 0.5 s holds the last 7 to 9 intervals, exactly as printed live" \
	eval 'test "$rc" = 0 -a "$kept" -ge 7 -a "$kept" -le 9 &&
		same <(tail -n "$kept" "$work/ring-live.json") "$work/ring.json"'

# --- a full disk --------------------------------------------------------------------------
mkdir -p "$work/full" && mount -t tmpfs -o size=256k tmpfs "$work/full" && mnt="$work/full"
"$KTOP" -b -P overview -f json -d 0.2 -w "$work/full/rec.ktop" >"$work/full.json" \
	2>"$work/full.err" &
ktop_pid=$!
pids+=("$ktop_pid")
wait_for 90 has_line "$work/full.err" "recording stopped"
before=$(wc -l <"$work/full.json")
wait_for 30 lines_at_least "$work/full.json" $((before + 3))
check "a full disk: one line says the recording stopped, and ktop goes on" \
	eval 'test "$(grep -c "recording stopped.*No space left on device" "$work/full.err")" = 1 &&
		kill -0 "$ktop_pid" && lines_at_least "$work/full.json" $((before + 3))'
kill -TERM "$ktop_pid"
wait "$ktop_pid" 2>/dev/null
note "$(grep "recording stopped" "$work/full.err")"
said=$(sed -n 's/.*the \([0-9]*\) intervals before stay readable.*/\1/p' "$work/full.err")
"$KTOP" -r "$work/full/rec.ktop" -b -P overview -f json >"$work/full-replay.json" 2>"$work/fr.err"
rc=$?
check "and the file replays the ${said:-?} intervals it said, with no damage" \
	eval 'test "$rc" = 0 -a -n "$said" && test "$(wc -l <"$work/full-replay.json")" = "$said"'

# --- --record narrows what is recorded -------------------------------------------------------
"$KTOP" -b -P overview -f json -d 0.5 -n 3 -w "$work/narrow.ktop" --record bio,sql \
	>"$work/narrow-live.json" 2>"$work/narrow.err"
check "--record bio,sql: recorded, exit 0" test $? = 0 -a -s "$work/narrow.ktop"
"$KTOP" -r "$work/narrow.ktop" -b -P bio -f json >"$work/narrow-bio.json" 2>"$work/narrow-bio.err"
rc=$?
note "$(head -1 "$work/narrow-bio.err")"
check "the header says the panels recorded, and the Block I/O panel replays 3 intervals" \
	eval 'test "$rc" = 0 -a "$(wc -l <"$work/narrow-bio.json")" = 3 &&
		grep -q "panels bio,sql, 3 intervals" "$work/narrow-bio.err"'
"$KTOP" -r "$work/narrow.ktop" -b -P overview -f json >"$work/narrow-ov.json" 2>"$work/narrow-ov.err"
rc=$?
note "$(tail -1 "$work/narrow-ov.err")"
check "a panel left out of --record is not in the file: exit 1, said in one line" \
	eval 'test "$rc" = 1 -a ! -s "$work/narrow-ov.json" &&
		grep -q "panel overview was not recorded (--record bio,sql)" "$work/narrow-ov.err"'

# --- created new, never through a symlink -----------------------------------------------------
echo keep >"$work/exists"
"$KTOP" -b -n 1 -w "$work/exists" >/dev/null 2>"$work/exists.err"
rc=$?
check "-w on an existing file: refused, the file untouched" \
	eval 'test "$rc" != 0 && grep -q "File exists" "$work/exists.err" &&
		test "$(cat "$work/exists")" = keep'
ln -s "$work/target" "$work/link"
"$KTOP" -b -n 1 -w "$work/link" >/dev/null 2>"$work/link.err"
rc=$?
check "-w on a symlink: refused, nothing created behind it" \
	eval 'test "$rc" != 0 -a ! -e "$work/target"'

finish
