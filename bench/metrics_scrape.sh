#!/usr/bin/env bash
# /metrics under load, reported (never asserted):
#  1. Series: WAKERS processes (default 400) that each wake every 0.5 s give the Overview and
#     Off-CPU families a few series each, on top of the box's own processes: about 5 000 in
#     all. Prints how many sample lines /metrics holds and its size.
#  2. Time to serve: SCRAPES (default 100) GETs one after the other, timed by the client from
#     connect to the last byte: median, p95 and max in ms.
#  3. ktop's CPU at a 1 s interval over DURATION seconds (default 30) each, from
#     /proc/PID/schedstat: `ktop -b -f none` with no --listen (the Overview's collector only),
#     with --listen and no scrape (every collector, and the exposition rendered each
#     interval), and with --listen and one scrape a second. The last minus the second is what
#     scraping once a second adds. The render's own CPU per interval comes from ktop's log
#     (KTOP_LOG: "metrics: 10 renders ... took X ms of CPU on average").
#  4. Snapshots under a storm: `ktop -b -P bio -f json -d 1 --listen`, the time between its
#     snapshots as they reach a reader, over STORM seconds (default 10) quiet and then STORM
#     seconds of rounds of 200 concurrent scrapes: median and max gap, scrapes served.
# Needs root and gcc. Usage: bench/metrics_scrape.sh   (KTOP=path, WAKERS, SCRAPES, DURATION)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
WAKERS=${WAKERS:-400}
SCRAPES=${SCRAPES:-100}
DURATION=${DURATION:-30}
STORM=${STORM:-10}
WARMUP=3

[ "$(id -u)" = 0 ] || { echo "metrics_scrape.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "metrics_scrape.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }

work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
ktop_pid=""
wakers=""
cleanup() {
	[ -n "$ktop_pid" ] && kill "$ktop_pid" 2>/dev/null
	[ -n "$wakers" ] && kill -- "-$wakers" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# run_ns PID: on-CPU time of PID in ns.
run_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
# start_ktop ARGS...: ktop -b -f none -d 1 ARGS in the background, its PID in ktop_pid; with
# --listen, its URL in url once it serves.
start_ktop() {
	local i
	: >"$work/err"
	"$KTOP" -b -f none -d 1 "$@" 2>"$work/err" &
	ktop_pid=$!
	url=""
	for ((i = 0; i < 600; i++)); do
		kill -0 "$ktop_pid" 2>/dev/null || break
		grep -q "tracing with" "$work/err" && { [[ " $* " != *" --listen "* ]] ||
			grep -q "serving http" "$work/err"; } && break
		sleep 0.1
	done
	if ! grep -q "tracing with" "$work/err"; then
		echo "metrics_scrape.sh: ktop did not start: $(head -3 "$work/err")" >&2
		exit 1
	fi
	url=$(grep -o 'http://[^ ]*/metrics' "$work/err" | head -1)
}
stop_ktop() {
	kill "$ktop_pid" 2>/dev/null
	wait "$ktop_pid" 2>/dev/null
	ktop_pid=""
}
# cpu_pct SECONDS [scrape]: ktop's CPU (% of one core) over SECONDS, scraping once a second.
cpu_pct() {
	local t0 t1 w0 w1 i
	sleep "$WARMUP"
	t0=$(run_ns "$ktop_pid")
	w0=$(date +%s%N)
	for ((i = 0; i < $1; i++)); do
		[ "${2:-}" = scrape ] && curl -s -o /dev/null -m 5 "$url"
		sleep 1
	done
	t1=$(run_ns "$ktop_pid")
	w1=$(date +%s%N)
	awk -v c=$((t1 - t0)) -v w=$((w1 - w0)) 'BEGIN { printf "%.2f", 100 * c / w }'
}

cat >"$work/wakers.c" <<'EOF'
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int n = atoi(argv[1]);
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			struct timespec ts = { 0, 500000000 };
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				nanosleep(&ts, NULL);
		}
	}
	pause();
	return 0;
}
EOF
gcc -O2 -o "$work/wakers" "$work/wakers.c" || { echo "metrics_scrape.sh: gcc failed" >&2; exit 1; }

echo "# /metrics scrape cost: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs," \
	"$($KTOP --version | head -1), WAKERS=$WAKERS SCRAPES=$SCRAPES DURATION=$DURATION"

setsid "$work/wakers" "$WAKERS" &
wakers=$!
sleep 1

# --- 1 and 2: series and time to serve -----------------------------------------------------------
start_ktop --listen 127.0.0.1:0
sleep 5 # a few intervals, so that every waker has its series
python3 - "$url" "$SCRAPES" <<'PY'
import statistics, sys, time, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
times, size, series = [], 0, 0
for _ in range(n):
    t0 = time.perf_counter()
    body = urllib.request.urlopen(url, timeout=30).read()
    times.append((time.perf_counter() - t0) * 1000)
    size = len(body)
    series = sum(1 for l in body.split(b"\n") if l and not l.startswith(b"#"))
times.sort()
print(f"series: {series} sample lines, {size / 1024:.0f} KiB")
print(f"time to serve ({n} sequential GETs): median {statistics.median(times):.2f} ms, "
      f"p95 {times[int(0.95 * (n - 1))]:.2f} ms, max {times[-1]:.2f} ms")
PY
stop_ktop

# --- 3: CPU ----------------------------------------------------------------------------------
start_ktop
none=$(cpu_pct "$DURATION")
stop_ktop
KTOP_LOG="$work/log" start_ktop --listen 127.0.0.1:0
idle=$(cpu_pct "$DURATION")
stop_ktop
render=$(awk '/metrics: 10 renders/ { for (i = 1; i <= NF; i++) if ($i == "took") { s += $(i + 1); n++ } }
	END { if (n) printf "%.2f ms (mean of %d readings)", s / n, n; else print "no reading" }' \
	"$work/log" 2>/dev/null)
start_ktop --listen 127.0.0.1:0
scraped=$(cpu_pct "$DURATION" scrape)
stop_ktop
echo "ktop CPU, % of one core over ${DURATION}s at -d 1:"
echo "  -b -f none, no --listen (Overview only):      $none"
echo "  --listen, no scrape (all collectors, render): $idle"
echo "  --listen, one scrape a second:                $scraped"
awk -v a="$scraped" -v b="$idle" 'BEGIN { printf "  added by scraping once a second:              %.2f\n", a - b }'
echo "rendering the exposition, CPU per interval: $render"

# --- 4: snapshots during rounds of 200 concurrent scrapes ----------------------------------------
python3 - "$KTOP" "$STORM" <<'PY'
import re, statistics, subprocess, sys, threading, time, urllib.request
ktop, storm = sys.argv[1], float(sys.argv[2])
p = subprocess.Popen([ktop, "-b", "-P", "bio", "-f", "json", "-d", "1", "--listen", "127.0.0.1:0"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
url = None
while url is None:
    line = p.stderr.readline()
    if not line:
        sys.exit("ktop did not start")
    m = re.search(r"http://\S+/metrics", line)
    url = m.group(0) if m else None
arrivals = []
threading.Thread(target=lambda: [arrivals.append(time.monotonic()) for _ in p.stdout],
                 daemon=True).start()
while not arrivals:
    time.sleep(0.1)
served = failed = 0
lock = threading.Lock()
def scrape():
    global served, failed
    try:
        urllib.request.urlopen(url, timeout=30).read()
        ok = True
    except Exception:
        ok = False
    with lock:
        served, failed = served + ok, failed + (not ok)
t0 = time.monotonic()
time.sleep(storm)
t1 = time.monotonic()
while time.monotonic() < t1 + storm:
    ts = [threading.Thread(target=scrape) for _ in range(200)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
t2 = time.monotonic()
time.sleep(1.5)
p.terminate()
p.wait()
def gaps(a, b):
    xs = [t for t in arrivals if a <= t <= b]
    return [y - x for x, y in zip(xs, xs[1:])]
for name, a, b in (("quiet", t0, t1), ("storm", t1, t2)):
    g = gaps(a, b)
    if g:
        print(f"snapshot gaps, {name}: {len(g) + 1} snapshots, median {statistics.median(g):.3f} s, "
              f"max {max(g):.3f} s")
    else:
        print(f"snapshot gaps, {name}: fewer than two snapshots")
print(f"storm: {served} scrapes served, {failed} failed, over {t2 - t1:.1f} s")
PY
