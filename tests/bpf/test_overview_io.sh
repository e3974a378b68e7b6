#!/usr/bin/env bash
# The Overview's per-process disk I/O columns on the real kernel: a planted process
# (tests/bpf/waiter.c dio) doing 4 KiB O_DIRECT writes with fsync to a loop device shows its
# IOPS and MB/s in its row (batch JSON, from the Block I/O collector's per-process counts,
# which batch starts with the Overview), and a process that does no I/O shows none.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -pthread -o "$work/waiter" "$KTOP_TOP/tests/bpf/waiter.c" || {
	not_ok "build waiter"
	finish
}
loop_new 64M || {
	not_ok "make a loop device"
	finish
}
"$work/waiter" dio 300 "$loop" >"$work/dio.out" &
pids+=($!)
"$work/waiter" sleep 300 >"$work/sleep.out" &
pids+=($!)
wait_for 30 grep -q ready "$work/dio.out" && wait_for 30 grep -q ready "$work/sleep.out" || {
	not_ok "the planted processes start"
	finish
}
dio=$(awk '{ print $2; exit }' "$work/dio.out")
sleeper=$(awk '{ print $2; exit }' "$work/sleep.out")

if ! timeout 90 "$KTOP" -b -P overview -f json -d 1 -n 3 -p "$dio,$sleeper" \
	>"$work/io.json" 2>"$work/err"; then
	not_ok "ktop -b -P overview runs: $(tr '\n' ' ' <"$work/err")"
	finish
fi
# io_of PID: the most IOPS and MB/s of PID's rows over the snapshots, "iops mb", or why not.
io_of() {
	python3 - "$work/io.json" "$1" <<'PY'
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
best = None
for line in open(path).read().splitlines():
    for p in json.loads(line)["processes"]:
        if p["pid"] == pid:
            if "iops" not in p or "io_mb_s" not in p:
                sys.exit("row without iops/io_mb_s: %s" % sorted(p))
            if best is None or p["iops"] > best[0]:
                best = (p["iops"], p["io_mb_s"])
if best is None:
    sys.exit("no row for %d" % pid)
print("%s %s" % best)
PY
}
if read -r iops mb < <(io_of "$dio" 2>&1) && [ -n "$mb" ]; then
	note "direct writer: $iops IOPS, $mb MB/s"
	check "the direct writer's row shows its IOPS" python3 -c "import sys; sys.exit(not $iops > 0)"
	check "and its MB/s (4 KiB writes)" python3 -c "import sys; sys.exit(not $mb > 0)"
else
	not_ok "the direct writer's row: $(io_of "$dio" 2>&1)"
fi
if read -r iops mb < <(io_of "$sleeper" 2>&1) && [ -n "$mb" ]; then
	check "a process doing no I/O shows none" python3 -c "import sys; sys.exit(not ($iops == 0 and $mb == 0))"
else
	not_ok "the sleeper's row: $(io_of "$sleeper" 2>&1)"
fi
finish
