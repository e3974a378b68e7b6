#!/usr/bin/env bash
# The flight recorder (--trigger) on the real kernel. A planted 400 ms slow query on a MariaDB
# started here fires query>300 once (a 100 ms one does not): the window file is written next to
# -w's, mode 0600, said on stderr with its name; `ktop -r FILE -b -f json` replays it (exit 0),
# its intervals are the very lines live batch printed, they hold the query and span the
# seconds before and after it; a second slow query inside the window is suppressed and
# counted. bio_p99 fires on direct writes to a loop device (over a threshold any I/O passes). Pressure: with more CPU hogs than CPUs, psi:cpu>50 fires through the kernel's
# poll trigger, and through the avg10 fallback when the test forces it
# (KTOP_TEST_PSI_FALLBACK=1), each writing a window that replays.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/db.sh"

trap 'kill_pids; db_cleanup; cleanup_test' EXIT

# has_line FILE REGEX: FILE has a line matching REGEX.
has_line() { grep -qE -- "$2" "$1" 2>/dev/null; }
# traced FILE PID: the last JSON line of the Slow queries panel lists PID as traced.
traced() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1], "rb").read().split(b"\n")[:-1] if l.strip()]
if not lines:
    sys.exit(1)
last = json.loads(lines[-1])
sys.exit(0 if any(s["pid"] == int(sys.argv[2]) and s["traced"] for s in last["servers"]) else 1)
EOF
}

db_mariadb_start t1 || { not_ok "start MariaDB"; finish; }
m1=$db_pid
ms=$db_sock
note "MariaDB $m1 on $ms"

# --- query>300: one planted 400 ms query ---------------------------------------------------
"$KTOP" -b -P sql -f json -d 0.5 -w "$work/rec.ktop" --trigger 'query>300' \
	--trigger-window 2s,2s >"$work/live.json" 2>"$work/live.err" &
ktop_pid=$!
pids+=("$ktop_pid")
wait_for 60 has_line "$work/live.err" "ktop: sql: tracing with" ||
	note "ktop did not start: $(head -3 "$work/live.err")"
check "ktop traces the MariaDB" wait_for 30 traced "$work/live.json" "$m1"
sleep 2.5 # the ring fills with intervals before the query
db_mysql "$ms" "SELECT SLEEP(0.1) AS under_threshold" >/dev/null
db_mysql "$ms" "SELECT SLEEP(0.4) AS planted_slow" >/dev/null
t_query=$(date +%s.%N)
sleep 1
db_mysql "$ms" "SELECT SLEEP(0.45) AS second_slow" >/dev/null
wait_for 60 has_line "$work/live.err" "trigger query>300: wrote "
kill -TERM "$ktop_pid"
wait "$ktop_pid" 2>/dev/null
while read -r l; do note "$l"; done < <(grep -- "--trigger" "$work/live.err")
window=$(sed -n 's/.*--trigger query>300: wrote \(.*\) ([0-9]* intervals.*/\1/p' "$work/live.err" |
	head -1)
check "query>300 fired once, on the 400 ms query, naming its window file next to -w's" \
	eval 'test "$(grep -c "trigger query>300: fired" "$work/live.err")" = 1 &&
		grep -qE "fired: slow query 4[0-9][0-9]\.[0-9] ms \(pid [0-9]+\): SELECT SLEEP\(0\.4\) AS planted_slow; writing $work/rec-trigger-[0-9]{8}-[0-9]{6}\.ktop" "$work/live.err"'
check "the window file is there, mode 0600" \
	eval 'test -n "$window" -a -s "$window" && test "$(stat -c %a "$window")" = 600'
check "the second slow query inside the window is suppressed and counted" \
	grep -q "trigger query>300: 1 firings suppressed (at most one per 4 s)" "$work/live.err"
"$KTOP" -r "${window:-none}" -b -f json -P sql >"$work/window.json" 2>"$work/window.err"
rc=$?
note "$(head -1 "$work/window.err")"
check "ktop -r WINDOW -b -f json replays it (exit 0)" test "$rc" = 0
check "its intervals are lines live batch printed, in a row, and hold the planted query" \
	python3 - "$work/live.json" "$work/window.json" <<'EOF'
import json, sys
live = open(sys.argv[1]).read().splitlines()
got = open(sys.argv[2]).read().splitlines()
print("# window holds", len(got), "intervals")
ok = len(got) >= 3 and any(live[i:i + len(got)] == got for i in range(len(live)))
texts = [q["text"] for l in got for q in json.loads(l).get("queries", [])]
sys.exit(0 if ok and any("planted_slow" in t for t in texts) else 1)
EOF
check "and span the seconds before and after the query" \
	python3 - "$work/window.json" "$t_query" <<'EOF'
import json, sys
times = [json.loads(l)["time"] for l in open(sys.argv[1])]
t = float(sys.argv[2])
print("# window from %.1f s before the query to %.1f s after" % (t - times[0], times[-1] - t))
sys.exit(0 if times and times[0] <= t - 1.0 and times[-1] >= t + 1.0 else 1)
EOF

# --- bio_p99: direct writes to a loop device, over a threshold any I/O passes (0.001 ms) ---------
loop_new 64M || { not_ok "losetup -f over $work/disk.img"; finish; }
# the writer's PID is known before it writes, so that ktop counts its I/O alone (-p): another
# disk's I/O on a busy box cannot fire first
(while [ ! -e "$work/go" ]; do sleep 0.1; done
	exec dd if=/dev/zero of="$loop" bs=4k count=200 oflag=direct status=none) &
dd_pid=$!
pids+=("$dd_pid")
"$KTOP" -b -P bio -f json -d 0.5 -p "$dd_pid" --trigger 'bio_p99>0.001' \
	--trigger-window 1s,1s --trigger-dir "$work" >"$work/bio.json" 2>"$work/bio.err" &
ktop_pid=$!
pids+=("$ktop_pid")
if wait_for 60 has_line "$work/bio.err" "ktop: bio: tracing with"; then
	touch "$work/go"
	wait_for 30 has_line "$work/bio.err" "trigger bio_p99>0.001: wrote "
fi
kill -TERM "$ktop_pid"
wait "$ktop_pid" 2>/dev/null
while read -r l; do note "$l"; done < <(grep -- "--trigger" "$work/bio.err" | head -2)
bio_file=$(sed -n 's/.*bio_p99>0.001: wrote \(.*\) ([0-9]* intervals.*/\1/p' "$work/bio.err" |
	head -1)
"$KTOP" -r "${bio_file:-none}" -b -f json -P bio >"$work/bio-window.json" 2>/dev/null
check "bio_p99 fires on the loop device's writes, naming the disk; its window replays them" \
	eval 'grep -qE "bio_p99>0.001: fired: ${loop#/dev/}: block I/O p99 [0-9.]+ ms over [0-9]+ I/Os" "$work/bio.err" &&
		grep -q "\"name\":\"${loop#/dev/}\"" "$work/bio-window.json"'

# --- psi:cpu>50 under more CPU hogs than CPUs ------------------------------------------------
for ((i = 0; i <= $(nproc); i++)); do
	timeout 60 sh -c 'while :; do :; done' &
	pids+=("$!")
done
mkdir -p "$work/psi" "$work/avg"
"$KTOP" -b -f none -d 0.5 -n 8 --trigger 'psi:cpu>50' --trigger-window 1s,1s \
	--trigger-dir "$work/psi" 2>"$work/psi.err"
rc=$?
while read -r l; do note "$l"; done < <(grep -- "--trigger" "$work/psi.err" | head -3)
check "psi:cpu>50 runs on the kernel's poll trigger" \
	eval 'test "$rc" = 0 && grep -q "psi:cpu>50: kernel poll trigger .some 1000000 2000000. on /proc/pressure/cpu" "$work/psi.err"'
psi_file=$(sed -n 's/.*psi:cpu>50: wrote \(.*\) ([0-9]* intervals.*/\1/p' "$work/psi.err" | head -1)
check "and fires under the hogs: a window file that replays" \
	eval 'test -n "$psi_file" && "$KTOP" -r "$psi_file" -b -f json -P overview >/dev/null 2>&1'
KTOP_TEST_PSI_FALLBACK=1 "$KTOP" -b -f none -d 0.5 -n 8 --trigger 'psi:cpu>20' \
	--trigger-window 1s,1s --trigger-dir "$work/avg" 2>"$work/avg.err"
rc=$?
while read -r l; do note "$l"; done < <(grep -- "--trigger" "$work/avg.err" | head -3)
avg_file=$(sed -n 's/.*psi:cpu>20: wrote \(.*\) ([0-9]* intervals.*/\1/p' "$work/avg.err" | head -1)
check "the avg10 fallback (forced by the test) fires too, its window replays" \
	eval 'test "$rc" = 0 && grep -q "psi:cpu>20: avg10 of /proc/pressure/cpu each interval" "$work/avg.err" &&
		grep -q "psi:cpu>20: fired: some pressure avg10" "$work/avg.err" &&
		test -n "$avg_file" && "$KTOP" -r "$avg_file" -b -f json -P overview >/dev/null 2>&1'

finish
