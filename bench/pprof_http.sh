#!/usr/bin/env bash
# What a profile over HTTP costs, reported (never asserted): a headless `ktop -b -f none -d 1
# --listen` serves, and for each of four requests (on-CPU and off-CPU, of the whole box and
# of one busy process) this prints the time the answer took beyond the SECONDS asked for
# (opening the collector, naming the stacks, writing the profile), the profile's size, and
# ktop's CPU over the request (every thread, /proc/PID/stat), against ktop's CPU over as long with
# no request. A burner (tests/bpf/burner.c) gives the one-process profiles something to show.
# Needs root, gcc and curl. Usage: bench/pprof_http.sh   (KTOP=path, SECONDS_ASKED)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
SECS=${SECONDS_ASKED:-10}

[ "$(id -u)" = 0 ] || { echo "pprof_http.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "pprof_http.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }

work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
ktop_pid=""
burner=""
cleanup() {
	[ -n "$ktop_pid" ] && kill "$ktop_pid" 2>/dev/null
	[ -n "$burner" ] && kill "$burner" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# run_ns PID: CPU time of process PID, all its threads (the profiles' too), in ns.
tck=$(getconf CLK_TCK)
run_ns() {
	sed 's/.*) //' "/proc/$1/stat" | awk -v t="$tck" '{ printf "%d", ($12 + $13) * 1e9 / t }'
}

gcc -O1 -g -fno-omit-frame-pointer -pthread -o "$work/burner" "$top/tests/bpf/burner.c" ||
	exit 1
"$work/burner" 600 >"$work/burner.out" &
burner=$!
"$KTOP" -b -f none -d 1 --listen 127.0.0.1:0 2>"$work/err" &
ktop_pid=$!
for ((i = 0; i < 600; i++)); do
	grep -q "serving http" "$work/err" && break
	sleep 0.1
done
base=$(grep -o 'http://[^ ]*/metrics' "$work/err" | head -1)
base=${base%/metrics}
[ -n "$base" ] || { echo "pprof_http.sh: ktop did not serve: $(head -3 "$work/err")" >&2; exit 1; }
sleep 3 # past the first intervals

echo "$("$KTOP" -V | head -1), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
	"${SECS} s asked"
t0=$(run_ns "$ktop_pid")
sleep "$SECS"
idle=$(( $(run_ns "$ktop_pid") - t0 ))
printf '%-40s %8s %10s %12s\n' "request" "extra s" "bytes" "ktop CPU %"
printf '%-40s %8s %10s %12.2f\n' "(none: the panels' collectors)" "-" "-" \
	"$(awk -v n="$idle" -v s="$SECS" 'BEGIN { print n / s / 1e7 }')"
for path in "profile?seconds=$SECS" "profile?seconds=$SECS&pid=$burner" \
	"offcpu?seconds=$SECS" "offcpu?seconds=$SECS&pid=$burner"; do
	t0=$(run_ns "$ktop_pid")
	out=$(curl -s -m $((SECS + 120)) -o "$work/p.pb.gz" -w '%{http_code} %{time_total}' \
		"$base/debug/pprof/$path")
	cpu=$(( $(run_ns "$ktop_pid") - t0 ))
	set -- $out
	label=${path%%&*}
	[ "$label" != "$path" ] && label+="&pid=BURNER"
	printf '%-40s %8.2f %10s %12.2f\n' "/debug/pprof/$label" \
		"$(awk -v t="$2" -v s="$SECS" 'BEGIN { print t - s }')" \
		"$(stat -c %s "$work/p.pb.gz") ($1)" \
		"$(awk -v n="$cpu" -v t="$2" 'BEGIN { print n / t / 1e7 }')"
done
