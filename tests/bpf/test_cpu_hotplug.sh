#!/usr/bin/env bash
# A CPU goes offline and comes back while ktop runs (batch Overview, JSON): ktop goes on
# printing a snapshot every interval with no error, its per-CPU list drops the offline CPU
# (ncpus 2 -> 1, one entry) and takes it back once online (2 entries again). Needs a writable
# /sys/devices/system/cpu/cpuN/online (else skipped with the reason). The CPU is offline for a
# few seconds only, and always brought back by the trap.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

cpu=""
for f in /sys/devices/system/cpu/cpu[1-9]*/online; do
	[ -w "$f" ] && [ "$(cat "$f" 2>/dev/null)" = 1 ] && { cpu=${f%/online}; break; }
done
if [ -z "$cpu" ]; then
	echo "not ok - no CPU here can go offline (no writable cpuN/online, N > 0) # SKIP"
	exit 0
fi
ncpu=$(grep -c '^cpu[0-9]' /proc/stat)
if [ "$cpu" != "/sys/devices/system/cpu/cpu$((ncpu - 1))" ]; then
	echo "not ok - ${cpu##*/} is not the last online CPU of $ncpu (the count would not fall by one) # SKIP"
	exit 0
fi
ktop=""
trap 'echo 1 >"$cpu/online" 2>/dev/null; [ -n "$ktop" ] && kill "$ktop" 2>/dev/null
	cleanup_test' EXIT

# ncpus_of LINE_NO: "ncpus entries" of JSON snapshot LINE_NO (from 1) of the output.
ncpus_of() {
	sed -n "${1}p" "$work/out" | python3 -c 'import json, sys
s = json.loads(sys.stdin.read())["system"]
print(s["ncpus"], len(s["cpus"]))' 2>/dev/null
}
lines() { wc -l <"$work/out" 2>/dev/null || echo 0; }
# snapshot_after N: wait for a snapshot past line N (whole), print its number.
snapshot_after() { wait_for 30 eval '[ "$(lines)" -gt '"$1"' ]' && lines; }

"$KTOP" -b -P overview -d 0.5 -f json >"$work/out" 2>"$work/err" &
ktop=$!
n=$(snapshot_after 1) || { not_ok "ktop prints snapshots ($(head -2 "$work/err"))"; finish; }
before=$(ncpus_of "$n")
note "online before: $(cat /sys/devices/system/cpu/online), snapshot $n: ncpus entries = $before"
check "before: every online CPU is listed ($ncpu)" test "$before" = "$ncpu $ncpu"
echo 0 >"$cpu/online" || { not_ok "take ${cpu##*/} offline"; finish; }
mark=$(lines)
n=$(snapshot_after $((mark + 1)))
during=$(ncpus_of "${n:-0}")
echo 1 >"$cpu/online"
note "${cpu##*/} offline, snapshot ${n:-none}: ncpus entries = $during"
check "${cpu##*/} offline: ktop goes on" kill -0 "$ktop"
check "${cpu##*/} offline: the per-CPU list drops it" test "$during" = "$((ncpu - 1)) $((ncpu - 1))"
mark=$(lines)
n=$(snapshot_after $((mark + 1)))
after=$(ncpus_of "${n:-0}")
note "${cpu##*/} online again, snapshot ${n:-none}: ncpus entries = $after"
check "${cpu##*/} back online: ktop goes on" kill -0 "$ktop"
check "${cpu##*/} back online: the per-CPU list has it again" test "$after" = "$ncpu $ncpu"
kill -INT "$ktop"
wait "$ktop"
rc=$?
ktop=""
check "ktop ends normally on SIGINT (exit $rc)" test "$rc" = 0
check "ktop wrote nothing to stderr but its start line" \
	eval '! grep -v "tracing with" "$work/err" | grep -q .'
check "every snapshot it printed is whole JSON" python3 -c 'import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$work/out"
finish
