#!/usr/bin/env bash
# Block I/O collector on the real kernel: 1000 direct 4 KiB writes to a loop device are counted
# once each (per disk, as writes, in the 4 KiB size bucket, by dd's PID), agreeing with the
# kernel's own disk stats and with libbpf-tools biolatency over the same window; the raw_tp
# fallback counts the same; -p counts only the named process; a disk created, written and
# removed while ktop runs is reported and then marked gone or dropped, without stopping ktop;
# no BPF program is left behind on exit.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

# lib.sh gives $work and $loop (a loop device over $work/disk.img, for the whole test).
extra=""    # the index of the loop device created and removed while ktop runs

cleanup() {
	kill_pids
	if [ -n "$extra" ]; then
		losetup -d "/dev/loop$extra" 2>/dev/null
		remove_loop "$extra"
	fi
	cleanup_test
}
trap cleanup EXIT

# writes_done NAME: the kernel's count of completed writes on block device NAME.
writes_done() { awk '{ print $5 }' "/sys/block/$1/stat"; }
# prog_ids PID: the IDs of the BPF programs process PID holds, one a line.
prog_ids() { cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u; }
# progs_freed IDS: none of these BPF program IDs is still loaded.
progs_freed() {
	local loaded id
	loaded=$(bpftool prog show 2>/dev/null | awk -F: '/^[0-9]+:/ { print $1 }')
	for id in $1; do
		grep -qx -- "$id" <<<"$loaded" && return 1
	done
	return 0
}
# py SCRIPT|- ARGS...: run a python3 assertion script; what it prints is shown as TAP notes.
py() {
	local out rc
	out=$(python3 "$@" 2>&1)
	rc=$?
	[ -n "$out" ] && while IFS= read -r l; do note "$l"; done <<<"$out"
	return "$rc"
}

loop_new 64M || { not_ok "losetup -f over $work/disk.img"; finish; }
name=${loop#/dev/}
note "loop device $loop"

# --- 1000 direct writes, ktop and biolatency side by side -----------------------------------
"$KTOP" -b -P bio -d 4 -n 1 -f json >"$work/count.json" 2>"$work/count.err" &
ktop_pid=$!
pids+=("$ktop_pid")
stdbuf -oL biolatency -D 4 1 >"$work/biolat.out" 2>&1 &
pids+=("$!")
attached=0
wait_for 15 has_line "$work/count.err" "ktop: bio: tracing with" &&
	wait_for 15 has_line "$work/biolat.out" "Tracing block device I/O" && attached=1
check "ktop and biolatency attach" test "$attached" = 1
ids=$(prog_ids "$ktop_pid")
before=$(writes_done "$name")
dd if=/dev/zero of="$loop" bs=4k count=1000 oflag=direct status=none &
dd_pid=$!
wait "$dd_pid"
dd_rc=$?
kernel_writes=$(($(writes_done "$name") - before))
wait "$ktop_pid"
ktop_rc=$?
wait
note "kernel: $kernel_writes writes on $name; dd exit $dd_rc"

check "ktop exits 0 after one 4 s snapshot" test "$ktop_rc" = 0
check "the kernel saw 1000 writes (the workload is what the test thinks)" \
	test "$dd_rc" = 0 -a "$kernel_writes" -ge 1000 -a "$kernel_writes" -le 1005

# count.py FILE DISK WANT KERNEL_WRITES DD_PID ASPECT: one aspect of the counting run.
cat >"$work/count.py" <<'PY'
import json, sys
path, name, want, kernel, dd_pid, what = sys.argv[1:7]
want, kernel, dd_pid = int(want), int(kernel), int(dd_pid)
snaps = [json.loads(l) for l in open(path) if l.strip()]
assert len(snaps) == 1, f"{len(snaps)} snapshots"
s = snaps[0]
disks = [d for d in s["disks"] if d["name"] == name]
assert disks, [d["name"] for d in s["disks"]]
d = disks[0]
w = d["ops"].get("write", {})
near = lambda n, m: abs(n - m) <= 5
if what == "total":
    print(name, "ios", d["ios"], "bytes", d["bytes"])
    assert near(d["ios"], want), d["ios"]
elif what == "writes":
    print(name, "ops", sorted(d["ops"]), "writes", w.get("ios"))
    assert w.get("ios", 0) >= want - 5 and near(w["ios"], kernel), w.get("ios")
elif what == "size":
    hist = {(b["low"], b["high"]): b["count"] for b in w.get("size_bytes", [])}
    print(f"write sizes: {hist}")
    assert hist.get((4096, 8191), 0) >= want - 5, hist
    assert sum(hist.values()) - hist.get((4096, 8191), 0) <= 5, hist
    assert near(w["bytes"], 4096 * w["ios"]), w["bytes"]
elif what == "latency":
    tot = sum(b["count"] for b in d["lat_total_us"])
    dev = sum(b["count"] for b in d["lat_device_us"])
    print("latency buckets hold", tot, "(total) and", dev, "(device) of", d["ios"])
    assert tot == d["ios"] and dev == d["ios"], (tot, dev)
    assert d["avg_us"] > 0 and d["p50_us"] <= d["p95_us"] <= d["p99_us"], d
elif what == "process":
    procs = [p for p in s["processes"] if p["disk"] == name]
    print("processes on", name, [(p["pid"], p["comm"], p["ios"]) for p in procs])
    mine = [p for p in procs if p["pid"] == dd_pid]
    assert mine and mine[0]["comm"] == "dd" and near(mine[0]["ios"], want), procs
PY
check "ktop counts 1000 completed I/Os on $name (within 5)" \
	py "$work/count.py" "$work/count.json" "$name" 1000 "$kernel_writes" "$dd_pid" total
check "the writes are in ops.write and match the kernel's count (within 5)" \
	py "$work/count.py" "$work/count.json" "$name" 1000 "$kernel_writes" "$dd_pid" writes
check "the write size histogram has its mass in 4096..8191" \
	py "$work/count.py" "$work/count.json" "$name" 1000 "$kernel_writes" "$dd_pid" size
check "the latency histograms hold every I/O once; percentiles are ordered" \
	py "$work/count.py" "$work/count.json" "$name" 1000 "$kernel_writes" "$dd_pid" latency
check "the process list has dd's PID with its 1000 writes" \
	py "$work/count.py" "$work/count.json" "$name" 1000 "$kernel_writes" "$dd_pid" process
# biolatency -D prints "disk = NAME" then "lo -> hi : count |stars|" rows.
biolat=$(awk -v n="$name" '/^disk = / { on = ($3 == n) }
	on && / -> / { s += $5 } END { print s + 0 }' "$work/biolat.out")
ktop_ios=$(python3 -c 'import json, sys
s = json.loads(open(sys.argv[1]).readline())
print(sum(d["ios"] for d in s["disks"] if d["name"] == sys.argv[2]))' "$work/count.json" "$name" \
	2>/dev/null)
note "biolatency counted $biolat on $name, ktop ${ktop_ios:-nothing}"
check "biolatency's count for $name agrees with ktop's (within 5)" \
	test -n "$ktop_ios" -a "$biolat" -ge 995 -a $((biolat - ${ktop_ios:-0})) -le 5 \
	-a $((${ktop_ios:-0} - biolat)) -le 5
check "ktop's BPF programs are freed after it exits" \
	eval '[ -n "$ids" ] && wait_for 5 progs_freed "$ids"'
note "ktop held programs: ${ids//$'\n'/ }"

# --- the raw_tp fallback counts the same ---------------------------------------------------
# Its programs read the request through probe reads instead of BTF-typed loads.
KTOP_FORCE_RAW_TP=1 "$KTOP" -b -P bio -d 3 -n 1 -f json >"$work/raw.json" 2>"$work/raw.err" &
ktop_pid=$!
pids+=("$ktop_pid")
check "ktop attaches on raw_tp when told to" \
	wait_for 15 has_line "$work/raw.err" "ktop: bio: tracing with raw_tp"
before=$(writes_done "$name")
dd if=/dev/zero of="$loop" bs=4k count=1000 oflag=direct status=none &
dd_pid=$!
wait "$dd_pid"
kernel_writes=$(($(writes_done "$name") - before))
wait "$ktop_pid"
note "raw_tp: kernel saw $kernel_writes writes on $name; ktop exit $?"
check "raw_tp: the writes match the kernel's count, each in the 4 KiB size bucket" eval \
	'py "$work/count.py" "$work/raw.json" "$name" 1000 "$kernel_writes" "$dd_pid" writes &&
	 py "$work/count.py" "$work/raw.json" "$name" 1000 "$kernel_writes" "$dd_pid" size'
check "raw_tp: the latency histograms hold every I/O once" \
	py "$work/count.py" "$work/raw.json" "$name" 1000 "$kernel_writes" "$dd_pid" latency
check "raw_tp: the process list has dd's PID with its 1000 writes" \
	py "$work/count.py" "$work/raw.json" "$name" 1000 "$kernel_writes" "$dd_pid" process

# --- -p: two writers at once, only one counted -----------------------------------------------
# The other writer is already busy while ktop starts and sets its filter, and goes on until the
# counted one is done. A TERM waits for its current dd to finish, so nothing is left writing.
(
	trap 'exit 0' TERM
	while :; do dd if=/dev/zero of="$loop" bs=4k count=500 oflag=direct status=none; done
) &
other=$!
pids+=("$other")
mkfifo "$work/gate"
# The counted writer waits at the gate; exec keeps the PID the test knows for dd.
sh -c 'read -r _ <"$1"; exec dd if=/dev/zero of="$2" bs=4k count=1500 oflag=direct status=none' \
	sh "$work/gate" "$loop" &
counted=$!
pids+=("$counted")
"$KTOP" -b -P bio -p "$counted" -d 3 -n 1 -f json >"$work/pid.json" 2>"$work/pid.err" &
ktop_pid=$!
pids+=("$ktop_pid")
check "ktop -p attaches" wait_for 15 has_line "$work/pid.err" "ktop: bio: tracing with"
before=$(writes_done "$name")
timeout 5 sh -c 'echo go >"$1"' sh "$work/gate" # no reader: do not hang
wait "$counted"
rc_counted=$?
both=$(($(writes_done "$name") - before))
kill "$other"
wait "$other"
wait "$ktop_pid"
ktop_rc=$?
note "kernel: $both writes while the counted dd ran (exit $rc_counted); ktop -p exit $ktop_rc"
check "both writers ran at once (the kernel saw 1500 + many writes)" \
	test "$rc_counted" = 0 -a "$both" -ge 1600
check "ktop -p exits 0 after one snapshot" \
	eval 'test "$ktop_rc" = 0 && test "$(wc -l <"$work/pid.json")" = 1'
check "with -p, ktop counts only that PID's I/O" py - "$work/pid.json" "$name" "$counted" <<'PY'
import json, sys
path, name, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = json.loads(open(path).readline())
assert s["pid_filter"] == [pid], s["pid_filter"]
assert s["pid_filtered_histograms"] is True, s["pid_filtered_histograms"]
procs = [(p["pid"], p["comm"], p["disk"], p["ios"]) for p in s["processes"]]
disks = [(d["name"], d["ios"]) for d in s["disks"] if d["ios"]]
print("processes:", procs)
print("disks with I/O:", disks)
assert [p[0] for p in procs] == [pid] and abs(procs[0][3] - 1500) <= 5, procs
assert len(disks) == 1 and disks[0][0] == name and abs(disks[0][1] - 1500) <= 5, disks
PY

# --- a disk that appears and vanishes while ktop runs -----------------------------------------
truncate -s 16M "$work/b.img"
"$KTOP" -b -P bio -d 1 -n 120 -f json >"$work/hot.json" 2>"$work/hot.err" &
ktop_pid=$!
pids+=("$ktop_pid")
# Wait for a first snapshot so that creating, writing and removing fit in one interval.
check "ktop -d 1 attaches and prints a first snapshot" \
	eval 'wait_for 15 has_line "$work/hot.err" "ktop: bio: tracing with" &&
	      wait_for 5 lines_at_least "$work/hot.json" 1'
# A new loop device at a free high index (losetup -f hands out the lowest free ones).
extra=$(loop_add_high)
created=0
[ -n "$extra" ] && wait_for 2 test -b "/dev/loop$extra" &&
	losetup "/dev/loop$extra" "$work/b.img" && created=1
dd if=/dev/zero of="/dev/loop$extra" bs=4k count=300 oflag=direct status=none
dd_rc=$?
losetup -d "/dev/loop$extra"
removed=0
wait_for 3 remove_loop "$extra" && removed=1
removed_at=$(date +%s.%N)
newname=loop$extra
[ "$removed" = 1 ] && extra=""
check "a new disk $newname is created, written and removed" \
	test "$created" = 1 -a "$dd_rc" = 0 -a "$removed" = 1
# Two more snapshots after the removal (however long a loaded box took for it), then stop ktop.
lines=$(wc -l <"$work/hot.json")
wait_for 30 lines_at_least "$work/hot.json" $((lines + 2))
kill -INT "$ktop_pid"
wait "$ktop_pid"
ktop_rc=$?
check "ktop keeps running until stopped: exit 0, two snapshots after the removal" \
	eval 'test "$ktop_rc" = 0 && lines_at_least "$work/hot.json" $((lines + 2))'
check "the new disk's 300 writes are reported under its name" \
	py - "$work/hot.json" "$newname" <<'PY'
import json, sys
path, name = sys.argv[1], sys.argv[2]
snaps = [json.loads(l) for l in open(path)]
seen = [(i, d["ios"], d["ops"].get("write", {}).get("ios", 0), d["gone"])
        for i, s in enumerate(snaps) for d in s["disks"] if d["name"] == name]
print(f"{name} (snapshot, ios, writes, gone): {seen}")
assert name.startswith("loop"), name
assert abs(sum(w for _, _, w, _ in seen) - 300) <= 5, seen
PY
check "after its removal the disk is marked gone or no longer listed" \
	py - "$work/hot.json" "$newname" "$removed_at" <<'PY'
import json, sys
path, name, removed_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
snaps = [json.loads(l) for l in open(path)]
after = [s for s in snaps if s["time"] > removed_at + 0.05]
assert after, "no snapshot after the removal"
for s in after:
    for d in s["disks"]:
        if d["name"] == name:
            assert d["gone"] is True and d["ios"] > 0, d
gone = [i for i, s in enumerate(snaps) for d in s["disks"] if d["name"] == name and d["gone"]]
print(f"snapshots marking {name} gone: {gone}")
PY
check "no BPF drops were counted in any run" \
	py - "$work/count.json" "$work/raw.json" "$work/pid.json" "$work/hot.json" <<'PY'
import json, sys
bad = []
for path in sys.argv[1:]:
    for l in open(path):
        s = json.loads(l)
        bad += [(path.rsplit("/", 1)[1], k, v) for k, v in s["drops"].items()
                if v and k != "completion_without_start"]
assert not bad, bad
PY
finish
