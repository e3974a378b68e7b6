#!/usr/bin/env bash
# Soak: the full-screen UI in tmux for MINUTES minutes (default 10; the documented long run is
# MINUTES=60), a panel key pressed every STEP seconds in turn (1 to 6, then the help screen,
# the flame view and back to the tree), under three loads at once: fork/exec churn (a shell starting
# /bin/true in a loop), a throwaway MariaDB (tests/bpf/db.sh) answering fast point selects and
# a slow query (SELECT SLEEP(0.2)) in a loop, and 4 KiB direct writes to a loop device. ktop
# traces that MariaDB only (--db PID): servers that others start and stop on the same box would
# make its memory their figure.
# Every 10 s it samples ktop's RSS, its CPU time and its open file descriptors, and keeps the
# screen's header (its drop counters). The report: each figure's first and last value and its
# slope after the first minute (least squares, in % of the mean per 10 minutes), the fds' slope
# among the samples taken on each panel (a panel's probes and files come and go with it), ktop's
# CPU in % of a core, and the header's drop fields at the first and the last sample.
# Targets (issue #20): RSS and fds flat (slope under 1% per 10 minutes), CPU under 2% of a core
# at a 1 s refresh, no drop counter growing without a cause the header names.
# ktop's KTOP_LOG (a file in the work directory unless KTOP_LOG names one) holds a "memory:" line
# every 10 refreshes: the report shows the first and the last, to say what the RSS is made of
# (heap in use, heap free, blocks in their own mappings, the symbol cache, the unwinder).
# Needs root. Usage: bench/soak.sh  (KTOP, MINUTES, STEP, DELAY; SAMPLES=FILE keeps the samples:
# seconds, RSS in KiB, CPU ticks, fds and the key last pressed a line)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
MINUTES=${MINUTES:-10}
STEP=${STEP:-5}
DELAY=${DELAY:-1}

[ "$(id -u)" = 0 ] || { echo "soak.sh: needs root" >&2; exit 2; }
for cmd in tmux mariadb mariadb-install-db losetup dd; do
	command -v "$cmd" >/dev/null || { echo "soak.sh: needs $cmd" >&2; exit 2; }
done
. "$top/tests/bpf/db.sh"

work=$(mktemp -d /tmp/ktop-soak.XXXXXX)
sock="ktop-soak-$$"
log=${KTOP_LOG:-$work/ktop.log}
loop=""
loads=()

cleanup() {
	local p
	for p in "${loads[@]}"; do
		pkill -P "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	tmux -L "$sock" kill-server 2>/dev/null
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	db_cleanup
	rm -rf "$work"
}
trap cleanup EXIT

# The loads.
db_mariadb_start soak || { echo "soak.sh: MariaDB did not start" >&2; exit 1; }
db_mysql "$db_sock" "CREATE DATABASE s; USE s; CREATE TABLE t (id INT PRIMARY KEY, v INT);
	INSERT INTO t SELECT seq, seq FROM seq_1_to_1000;" || exit 1
(while :; do db_mysql "$db_sock" "SELECT v FROM s.t WHERE id = 42" >/dev/null; done) &
loads+=($!)
(while :; do db_mysql "$db_sock" "SELECT SLEEP(0.2)" >/dev/null; done) &
loads+=($!)
(while :; do /bin/true; done) &
loads+=($!)
truncate -s 64M "$work/disk.img" && loop=$(losetup -f --show "$work/disk.img") ||
	{ echo "soak.sh: no loop device" >&2; exit 1; }
(while :; do dd if=/dev/zero of="$loop" bs=4k count=256 oflag=direct status=none; done) &
loads+=($!)

tmux -L "$sock" -f /dev/null new-session -d -s soak -x 160 -y 45 \
	"exec env TERM=screen-256color LANG=C.UTF-8 HOME=$work KTOP_EXPORT_DIR=$work KTOP_LOG=$log \
	 $KTOP -d $DELAY --db $db_pid 2>$work/err" || exit 1
pid=$(tmux -L "$sock" display-message -p -t soak '#{pane_pid}')
for ((i = 0; i < 150; i++)); do
	tmux -L "$sock" capture-pane -p -t soak | grep -q 'CPU' && break
	sleep 0.2
done
hz=$(getconf CLK_TCK)
keys=(1 2 3 4 5 6 h Space 2 f f) # Space closes the help screen, f f opens and closes the flame
samples=$work/samples # seconds rss_kb cpu_ticks fds
: >"$samples"
start=$(date +%s)
end=$((start + MINUTES * 60))
next_sample=$start
k=0
echo "soak.sh: ktop $pid, ${MINUTES} min, a key every ${STEP} s, refresh ${DELAY} s" >&2
while [ "$(date +%s)" -lt "$end" ]; do
	kill -0 "$pid" 2>/dev/null || { echo "soak.sh: ktop exited: $(head -3 "$work/err")" >&2; exit 1; }
	now=$(date +%s)
	if [ "$now" -ge "$next_sample" ]; then
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
		cpu=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
		fds=$(ls "/proc/$pid/fd" | wc -l)
		# the last key pressed (the panel shown): fds follow the panel
		echo "$((now - start)) ${rss:-0} ${cpu:-0} $fds ${keys[(k + ${#keys[@]} - 1) % ${#keys[@]}]}" >>"$samples"
		tmux -L "$sock" capture-pane -p -t soak | head -3 >"$work/head.$((now - start))"
		next_sample=$((next_sample + 10))
	fi
	tmux -L "$sock" send-keys -t soak "${keys[k % ${#keys[@]}]}"
	k=$((k + 1))
	sleep "$STEP"
done
tmux -L "$sock" send-keys -t soak 1
sleep 2
tmux -L "$sock" capture-pane -p -t soak >"$work/last-screen"

[ -n "${SAMPLES:-}" ] && cp "$samples" "$SAMPLES"
echo "## bench/soak.sh: MINUTES=$MINUTES STEP=$STEP DELAY=$DELAY, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$samples" "$hz" <<'EOF'
import sys
rows = [list(map(float, l.split()[:4])) for l in open(sys.argv[1]) if l.strip()]
shown = [l.split()[4] if len(l.split()) > 4 else "" for l in open(sys.argv[1]) if l.strip()]
hz = float(sys.argv[2])
def slope(xs, ys):
    n = len(xs)
    if n < 3:
        return float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return (sxy / sxx) * 600 / my * 100 if sxx and my else float("nan")
late = [r for r in rows if r[0] >= 60] or rows
t = [r[0] for r in late]
print(f"samples: {len(rows)} over {rows[-1][0]:.0f} s; slopes from {late[0][0]:.0f} s on")
print(f"RSS: {rows[0][1]/1024:.1f} MB at start, {rows[-1][1]/1024:.1f} MB at the end, "
      f"max {max(r[1] for r in rows)/1024:.1f} MB; slope {slope(t, [r[1] for r in late]):+.2f}% per 10 min")
print(f"fds: {rows[0][3]:.0f} at start, {rows[-1][3]:.0f} at the end, max {max(r[3] for r in rows):.0f}; "
      f"slope {slope(t, [r[3] for r in late]):+.2f}% per 10 min")
# The fds of each panel: a panel's probes, perf events and files come and go with it, so a
# slope over every sample says which panel the first and last samples fell on; a leak shows
# as growth on the same panel.
per = {}
for r, key in zip(rows, shown):
    if r[0] >= 60:
        per.setdefault(key, []).append(r)
fd_slopes = {k: slope([r[0] for r in v], [r[3] for r in v]) for k, v in per.items() if len(v) >= 3}
if fd_slopes:
    worst = max(fd_slopes, key=lambda k: abs(fd_slopes[k]))
    print("fds by the key last pressed (slope per 10 min, samples, min-max): " +
          ", ".join(f"{k} {fd_slopes[k]:+.2f}% ({len(per[k])}, {min(r[3] for r in per[k]):.0f}-"
                    f"{max(r[3] for r in per[k]):.0f})" for k in sorted(fd_slopes)) +
          f"; worst {worst}")
print("by minute (s RSS_MB fds):", ", ".join(f"{r[0]:.0f} {r[1]/1024:.1f} {r[3]:.0f}"
                                             for r in rows if r[0] % 60 < 10))
span = late[-1][0] - late[0][0]
if span > 0:
    cpu = (late[-1][2] - late[0][2]) / hz / span * 100
    print(f"CPU: {cpu:.2f}% of a core from {late[0][0]:.0f} s to {late[-1][0]:.0f} s "
          f"(whole run {(rows[-1][2] - rows[0][2]) / hz / max(rows[-1][0] - rows[0][0], 1) * 100:.2f}%)")
EOF
first=$(cd "$work" && ls head.* | sort -t. -k2 -n | head -1)
last=$(cd "$work" && ls head.* | sort -t. -k2 -n | tail -1)
echo "header at the first sample (${first#head.} s):"
sed 's/^/  /' "$work/$first"
echo "header at the last sample (${last#head.} s):"
sed 's/^/  /' "$work/$last"
echo "memory (KTOP_LOG), first and last:"
grep '^memory:' "$log" 2>/dev/null | sed -n '1p;$p' | fold -s -w 100 | sed 's/^/  /'
echo "ktop's stderr: $(wc -l <"$work/err") lines$( [ -s "$work/err" ] && echo ": $(head -2 "$work/err" | tr '\n' ' ')")"
