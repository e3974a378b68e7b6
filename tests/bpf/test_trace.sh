#!/usr/bin/env bash
# Trace collector on the real kernel, through `ktop -b -P trace -f json`:
#  - the article's example, pam:pam_start "%s: %s", shows su's service and user while su runs;
#  - a test program's known function (tests/bpf/tracee.c): every call with its int and string,
#    a kernel-side filter (arg1 == 3), return values (r:), its USDT probe, a string cut at the
#    limit, and sched_process_exec showing the program's path; the program exits meanwhile;
#  - -p keeps only the named process's calls, in the kernel;
#  - VFS counters: a known number of writes and fsyncs in one interval, system-wide and with -p
#    (then exactly its own), on tp_btf and on the raw_tp fallback;
#  - 64 probes at once work, a 65th and each bad spec (unknown library, function, field,
#    format/argument mismatch) give one line and exit 2, changing nothing; the event ring is
#    mapped only once there is a probe; no program is left.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

made_user="" # a user created for su, removed on exit

cleanup() {
	kill_pids
	[ -n "$made_user" ] && userdel "$made_user" 2>/dev/null
	cleanup_test
}
trap cleanup EXIT

# trace_progs_loaded: whether a program of trace.bpf.c is still in the kernel.
trace_progs_loaded() { bpftool prog show 2>/dev/null | grep -qE 'name trace_(uprobe|uretprobe|usdt|tp|vfs)'; }
# py SCRIPT ARGS...: run a python3 assertion script; what it prints is shown as TAP notes.
py() {
	local out rc
	out=$(python3 - "$@" 2>&1)
	rc=$?
	[ -n "$out" ] && while IFS= read -r l; do note "$l"; done <<<"$out"
	return "$rc"
}
# ktop_start NAME ARGS...: ktop in batch mode writing $work/NAME.json and NAME.err; true once
# it says it is tracing.
ktop_start() {
	local name=$1
	shift
	timeout 90 "$KTOP" -b -P trace -f json "$@" >"$work/$name.json" 2>"$work/$name.err" &
	ktop_pid=$!
	pids+=("$ktop_pid")
	wait_for 20 has_line "$work/$name.err" "ktop: trace: tracing with"
}
# ktop_wait: wait for the last ktop started; its exit code.
ktop_wait() { wait "$ktop_pid"; }
# held NAME COMMAND...: a process that runs COMMAND once $work/NAME.fifo is written; in $held.
held() {
	local name=$1
	shift
	mkfifo "$work/$name.fifo"
	bash -c 'read -r _ <"$0"; exec "$@"' "$work/$name.fifo" "$@" >"$work/$name.out" 2>&1 &
	held=$!
	pids+=("$held")
}
# release NAME: let a held process run.
release() { echo go >"$work/$1.fifo"; }

# The Python side of the checks: every snapshot's events, deduplicated (a snapshot may repeat
# the events an earlier one showed), and the probes of the last snapshot.
cat >"$work/lib.py" <<'EOF'
import json, sys

def snapshots(path):
    out = []
    for line in open(path):
        # only whole lines: ktop may still be writing the last one
        if line.endswith("\n") and line.strip():
            out.append(json.loads(line))
    return out

def events(snaps):
    seen, out = set(), []
    for s in snaps:
        for e in s.get("events", []):
            key = (e["time"], e["tid"], e["probe"], e["message"])
            if key not in seen:
                seen.add(key)
                out.append(e)
    return out

def fail(msg):
    print(msg)
    sys.exit(1)
EOF
export PYTHONPATH="$work"

tracee="$work/tracee"
if ! gcc -O1 -g -o "$tracee" "$KTOP_TOP/tests/bpf/tracee.c"; then
	not_ok "build tests/bpf/tracee.c (needs <sys/sdt.h> from systemtap-sdt-dev)"
	finish
fi

# --- the test program: calls, filter, return values, USDT, exec, long strings ---------------
ktop_start calls -d 1 -n 4 \
	--trace "$tracee:tracee_work \"%d %s\", arg1, arg2" \
	--trace "$tracee:tracee_work \"%d\", arg1 (arg1 == 3)" \
	--trace "r:$tracee:tracee_work \"%d\", retval" \
	--trace "U:$tracee:tracee:work \"%d %s\", arg1, arg2" \
	--trace 't:sched:sched_process_exec "%s", args->filename'
check "ktop attaches a uprobe, a filtered uprobe, a uretprobe, a USDT probe, a tracepoint" \
	test $? = 0
"$tracee" calls 5 >"$work/calls.out" &
calls_pid=$!
wait "$calls_pid"
"$tracee" long >"$work/long.out" &
long_pid=$!
wait "$long_pid"
ktop_wait
calls_rc=$?
check "ktop goes on after the traced processes exit, and ends well" test "$calls_rc" = 0
check "ktop printed its 4 snapshots" lines_at_least "$work/calls.json" 4
check "each call appears once, with its int and its string" \
	py "$work/calls.json" "$calls_pid" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1]); pid = int(sys.argv[2])
ev = [e for e in events(snaps) if e["probe"] == 1 and e["pid"] == pid]
got = [e["message"] for e in ev]
want = ["%d call-%d" % (i, i) for i in range(1, 6)]
if got != want: fail("probe 1 of pid %d: %r, want %r" % (pid, got, want))
for i, e in enumerate(ev):
    if e["comm"] != "tracee" or e["tid"] != pid: fail("bad comm/tid: %r" % e)
    if e["args"][0] != i + 1 or e["args"][1] == 0: fail("raw args %r" % e["args"])
EOF
check "the filter (arg1 == 3) keeps only that call, in the kernel" \
	py "$work/calls.json" "$calls_pid" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1])
got = [e["message"] for e in events(snaps) if e["probe"] == 2]
if got != ["3"]: fail("probe 2: %r" % got)
EOF
check "r: shows each return value" py "$work/calls.json" "$calls_pid" "$long_pid" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1]); pid = int(sys.argv[2]); lpid = int(sys.argv[3])
got = [e["message"] for e in events(snaps) if e["probe"] == 3 and e["pid"] in (pid, lpid)]
if got != ["10", "20", "30", "40", "50", "70"]: fail("probe 3: %r" % got)
EOF
check "the USDT probe fires with its arguments" py "$work/calls.json" "$calls_pid" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1]); pid = int(sys.argv[2])
got = [e["message"] for e in events(snaps) if e["probe"] == 4 and e["pid"] == pid]
if got != ["%d call-%d" % (i, i) for i in range(1, 6)]: fail("probe 4: %r" % got)
EOF
check "a string over the limit (80 bytes) is cut and marked" \
	py "$work/calls.json" "$long_pid" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1]); pid = int(sys.argv[2])
got = [e["message"] for e in events(snaps) if e["probe"] == 1 and e["pid"] == pid]
if got != ["7 " + "x" * 80 + "..."]: fail("long: %r" % got)
EOF
check "t:sched:sched_process_exec shows the program the test ran" \
	py "$work/calls.json" "$calls_pid" "$tracee" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1]); pid = int(sys.argv[2])
got = [e for e in events(snaps) if e["probe"] == 5 and e["pid"] == pid]
if [e["message"] for e in got] != [sys.argv[3]] or got[0]["comm"] != "tracee":
    fail("probe 5 of pid %d: %r" % (pid, got))
EOF
check "the probes are listed with their counts and no loss" \
	py "$work/calls.json" "$tracee" <<'EOF'
import sys; from lib import *
probes = snapshots(sys.argv[1])[-1]["probes"]
if [p["id"] for p in probes] != [1, 2, 3, 4, 5]: fail("ids %r" % probes)
if [p["type"] for p in probes] != ["p", "p", "r", "U", "t"]: fail("types %r" % probes)
for p in probes:
    if not p["attached"] or p["why"] or p["lost"]: fail("probe %r" % p)
if probes[0]["target"] != sys.argv[2] + ":tracee_work": fail("target %r" % probes[0]["target"])
if probes[4]["target"] != "sched:sched_process_exec": fail("target %r" % probes[4]["target"])
counts = [p["events"] for p in probes[:4]]
if counts != [6, 1, 6, 6]: fail("event counts %r" % counts)
EOF

# --- the article's example: pam_start while su runs ------------------------------------------
user=nobody
if ! id "$user" >/dev/null 2>&1; then
	made_user=ktoptrace$$
	useradd -M -s /usr/sbin/nologin "$made_user" && user=$made_user
fi
ktop_start pam -d 1 -n 2 --trace 'pam:pam_start "%s: %s", arg1, arg2'
check "pam:pam_start attaches (libpam found through the linker cache)" test $? = 0
su -s /bin/true "$user" >/dev/null 2>&1
su_rc=$?
ktop_wait
check "su ran (as root, no password)" test "$su_rc" = 0
check "the event shows su as comm, its service and the user" \
	py "$work/pam.json" "$user" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1])
got = [(e["comm"], e["message"]) for e in events(snaps) if e["probe"] == 1]
if ("su", "su: " + sys.argv[2]) not in got: fail("pam_start events: %r" % got)
target = snaps[-1]["probes"][0]["target"]
if "libpam.so" not in target or not target.endswith(":pam_start"): fail("target %r" % target)
EOF

# --- -p: only the named process, filtered in the kernel -------------------------------------
held one "$tracee" calls 3
one=$held
held two "$tracee" calls 4
two=$held
ktop_start pidf -d 1 -n 2 -p "$one" --trace "$tracee:tracee_work \"%d\", arg1"
check "ktop attaches with -p" test $? = 0
release one
release two
wait "$one" "$two"
ktop_wait
check "with -p only that process's calls are sent" py "$work/pidf.json" "$one" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1]); pid = int(sys.argv[2])
got = [(e["pid"], e["message"]) for e in events(snaps) if e["probe"] == 1]
if got != [(pid, "1"), (pid, "2"), (pid, "3")]: fail("events %r" % got)
EOF

# --- VFS counters: known writes and fsyncs in one interval ----------------------------------
writes=100000
fsyncs=200
vfs_check='
import sys; from lib import *
snaps = snapshots(sys.argv[1]); w, f = int(sys.argv[2]), int(sys.argv[3]); exact = sys.argv[4] == "1"
vfs = [s["vfs"] for s in snaps]
print("vfs per interval: " + "; ".join("%(read)d r %(write)d w %(open)d o %(create)d c %(fsync)d f in %(interval_s).2fs" % v for v in vfs))
top = max(range(len(vfs)), key=lambda i: vfs[i]["write"])
others = [v["write"] for i, v in enumerate(vfs) if i != top] or [0]
if exact:
    tot = {k: sum(v[k] for v in vfs) for k in ("read", "write", "open", "create", "fsync")}
    if tot != {"read": 0, "write": w, "open": 1, "create": 1, "fsync": f}: fail("with -p: %r" % tot)
    if vfs[top]["write"] != w: fail("the writes span intervals: %r" % vfs)
else:
    excess = vfs[top]["write"] - w
    # Within a few percent, plus what the rest of the system writes in an interval (other
    # intervals show how much that is on a busy machine).
    if excess < 0 or excess > 0.03 * w + 2 * max(others): fail("writes %d for %d" % (vfs[top]["write"], w))
    if sum(v["fsync"] for v in vfs) < f: fail("fsyncs %r" % vfs)
    if vfs[top]["create"] < 1 or vfs[top]["open"] < 1: fail("open/create %r" % vfs[top])
for v in vfs:
    if abs(v["interval_s"] - 1.0) > 0.3: fail("interval_s %r" % v["interval_s"])
'
for mode in pid all pid-raw_tp; do
	rm -f "$work/vfs.dat" "$work/vfs.dat.go"
	"$tracee" vfs "$work/vfs.dat" "$writes" "$fsyncs" &
	vfs_pid=$!
	pids+=("$vfs_pid")
	case "$mode" in
	pid) ktop_start "vfs-$mode" -d 1 -n 4 -p "$vfs_pid" ;;
	all) ktop_start "vfs-$mode" -d 1 -n 4 ;;
	pid-raw_tp) KTOP_FORCE_RAW_TP=1 ktop_start "vfs-$mode" -d 1 -n 4 -p "$vfs_pid" ;;
	esac
	attached=$?
	# Start right after a snapshot, so the workload falls in one interval.
	wait_for 10 lines_at_least "$work/vfs-$mode.json" 1
	touch "$work/vfs.dat.go"
	wait "$vfs_pid"
	vfs_rc=$?
	ktop_wait
	check "VFS ($mode): ktop attaches and the workload runs" test "$attached$vfs_rc" = 00
	if [ "$mode" = pid-raw_tp ]; then
		check "VFS on the raw_tp fallback: the same exact counts" \
			py "$work/vfs-$mode.json" "$writes" "$fsyncs" 1 <<<"$vfs_check"
		check "the raw_tp fallback says so" has_line "$work/vfs-$mode.err" "VFS raw_tp"
	elif [ "$mode" = pid ]; then
		check "VFS with -p: exactly the process's $writes writes, $fsyncs fsyncs, 1 open+create" \
			py "$work/vfs-$mode.json" "$writes" "$fsyncs" 1 <<<"$vfs_check"
	else
		check "VFS system-wide: $writes writes in one interval within a few percent" \
			py "$work/vfs-$mode.json" "$writes" "$fsyncs" 0 <<<"$vfs_check"
	fi
done

# --- 64 probes at once; a 65th and bad specs -------------------------------------------------
many=()
for i in $(seq 64); do many+=(--trace "$tracee:tracee_work \"$i %d\", arg1"); done
ktop_start many -d 1 -n 2 "${many[@]}"
check "64 probes attach at once" test $? = 0
"$tracee" calls 1 >/dev/null
ktop_wait
check "each of the 64 probes sends its event" py "$work/many.json" <<'EOF'
import sys; from lib import *
snaps = snapshots(sys.argv[1])
got = sorted(e["message"] for e in events(snaps))
if got != sorted("%d 1" % i for i in range(1, 65)): fail("events %r" % got[:5])
EOF

# bad NAME TEXT ARGS...: ktop refuses ARGS with one line holding TEXT, exit 2, nothing printed.
bad() {
	local name=$1 text=$2 rc
	shift 2
	timeout 30 "$KTOP" -b -P trace -f json -d 0.2 -n 1 "$@" >"$work/bad.out" 2>"$work/bad.err"
	rc=$?
	if [ "$rc" = 2 ] && [ ! -s "$work/bad.out" ] && [ "$(wc -l <"$work/bad.err")" = 1 ] &&
		has_line "$work/bad.err" "$text"; then
		ok "bad spec ($name): exit 2 and one line: $(cat "$work/bad.err")"
	else
		not_ok "bad spec ($name): exit $rc, want 2 and one line with '$text'"
		sed 's/^/# /' "$work/bad.err" | head -5
	fi
}
bad "unknown library" "no library or program 'no_such_lib_ktop'" \
	--trace 'no_such_lib_ktop:foo'
bad "unknown function" "no function no_such_function_ktop in " \
	--trace 'c:no_such_function_ktop'
bad "unknown field" "no field 'nosuch' in sched:sched_process_exec (has filename, pid, old_pid)" \
	--trace 't:sched:sched_process_exec "%s", args->nosuch'
bad "format/argument mismatch" "the format has 2 conversions but 1 argument is given" \
	--trace 'c:malloc "%d %d", arg1'
bad "a string field printed as an integer" "args->filename is a string" \
	--trace 't:sched:sched_process_exec "%d", args->filename'
bad "a good probe then a bad one" "no function tracee_nosuch in $tracee" \
	--trace "$tracee:tracee_work" --trace "$tracee:tracee_nosuch"
bad "65 probes" "too many probes (at most 64)" "${many[@]}" --trace "$tracee:tracee_work"
# The event ring is mapped into ktop only once there is a probe to fill it: the kernel maps
# all of its pages, twice, so an unused one would be 4 MiB of ktop's RSS for nothing.
# mapped_mib ARGS...: MiB of BPF maps a trace ktop with ARGS has mapped.
mapped_mib() {
	local k
	ktop_start mapped -d 2 -n 1 "$@" || return 1
	k=$(pgrep -P "$ktop_pid" | head -1) # ktop_pid is its timeout
	awk '/bpf-map/ { split($1, a, "-"); s += strtonum("0x" a[2]) - strtonum("0x" a[1]) }
		END { printf "%d", s / 1048576 }' "/proc/$k/maps"
	ktop_wait
}
none_mib=$(mapped_mib)
probe_mib=$(mapped_mib --trace "$tracee:tracee_work")
check "the event ring is mapped only with a probe ($none_mib / $probe_mib MiB)" \
	eval '[ "${none_mib:-9}" -lt 1 ] && [ "${probe_mib:-0}" -ge 4 ]'
check "no trace program is left in the kernel" wait_for 5 eval '! trace_progs_loaded'
finish
