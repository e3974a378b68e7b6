#!/usr/bin/env bash
# Profiles over HTTP (--listen) fetched by a real client, Debian's `go tool pprof URL`, from a
# batch ktop printing Block I/O snapshots every second: /debug/pprof/offcpu?seconds=3&pid= of
# the planted sleeper (tests/bpf/sleeper.c) names its user functions with a total within 15%
# of the 3 s it slept; /debug/pprof/profile?seconds=2&pid= of a spinner (tests/bpf/burner.c)
# names its hot function, and so does the profile of the whole box; `go tool pprof -raw` shows
# the sleeper's mapping with the build id `readelf -n` reads; the answer is
# application/octet-stream; bad parameters get 400 with one line; a third profile while two
# run gets 429, counted in /metrics; the snapshots keep their 1 s interval while profiles are
# taken (loosely: no gap over 3 s); ktop quits at once with a long profile in progress, and
# lets its client go.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

need_tools go curl python3 readelf
export HOME="$work/home" GOCACHE="$work/gocache" GOPATH="$work/gopath" PPROF_TMPDIR="$work/pprof"
mkdir -p "$HOME" "$PPROF_TMPDIR"
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$KTOP_TOP/tests/bpf/sleeper.c" || { not_ok "build sleeper"; finish; }
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -pthread -o "$work/burner" \
	"$KTOP_TOP/tests/bpf/burner.c" || { not_ok "build burner"; finish; }

# count_lines FILE TEXT N: FILE has at least N lines with TEXT.
count_lines() { [ "$(grep -cF -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; }
# http_code URL: the status of a GET (its body in $work/body).
http_code() { curl -s -o "$work/body" -m 60 -w '%{http_code}' "$1"; }
# total_ms TOPFILE: the "Total samples = N ms" of a -top output ("" when absent).
total_ms() { sed -n 's/.*Total samples = \([0-9.]*\)ms.*/\1/p' "$1" | head -1; }
# within PCT GOT WANT: whether GOT is within PCT% of WANT.
within() {
	python3 -c "import sys; sys.exit(0 if abs(float('$2') - $3) <= $1 / 100 * $3 else 1)"
}
# pprof_top OUT URL|FILE: go tool pprof's -top (ms, every node) into OUT, its errors beside.
pprof_top() {
	go tool pprof -top -unit=ms -nodecount=500 "$2" >"$1" 2>"$1.err"
}

# --- ktop: batch Block I/O snapshots every second, HTTP on a free loopback port --------------
KTOP_LOG="$work/ktop.log" "$KTOP" -b -P bio -d 1 -f json -o "$work/snaps.json" \
	--listen 127.0.0.1:0 2>"$work/ktop.err" &
ktop_pid=$!
pids+=("$ktop_pid")
if ! wait_for 60 has_line "$work/ktop.err" "serving http://"; then
	not_ok "ktop says where it serves"
	note "$(cat "$work/ktop.err" 2>/dev/null)"
	finish
fi
base=$(grep -o 'http://[^ ]*/metrics' "$work/ktop.err" | head -1)
base=${base%/metrics}
ok "ktop serves $base"

# --- the sleeper's off-CPU profile, fetched by go tool pprof ---------------------------------
"$work/sleeper" chain 60 >"$work/sleeper.out" &
sleeper=$!
pids+=("$sleeper")
wait_for 10 grep -q ready "$work/sleeper.out" || not_ok "the sleeper did not start"
start=$(date +%s.%N)
pprof_top "$work/off.top" "$base/debug/pprof/offcpu?seconds=3&pid=$sleeper"
note "$(head -8 "$work/off.top")"
[ -s "$work/off.top.err" ] && note "go tool pprof: $(tail -3 "$work/off.top.err")"
check "go tool pprof fetches an off_cpu profile from /debug/pprof/offcpu" \
	grep -q '^Type: off_cpu' "$work/off.top"
for f in main chain_a chain_b chain_c nap; do
	check "it lists the sleeper's $f" grep -qE " $f\$" "$work/off.top"
done
total=$(total_ms "$work/off.top")
note "off-CPU total: ${total:-none} ms over the 3 s asked for"
check "its total is the 3 s the sleeper slept, within 15%" \
	eval 'test -n "$total" && within 15 "$total" 3000'

# --- the same profile as bytes: content type, gzip, mappings with the build id ---------------
curl -s -m 60 -D "$work/off.hdr" -o "$work/off.pb.gz" \
	"$base/debug/pprof/offcpu?seconds=1&pid=$sleeper"
note "$(tr -d '\r' <"$work/off.hdr" | head -4 | tr '\n' ' ')"
check "it answers 200 with Content-Type: application/octet-stream" \
	eval 'head -1 "$work/off.hdr" | grep -q " 200" &&
		grep -qi "^Content-Type: application/octet-stream" "$work/off.hdr"'
check "the body is gzip-compressed" gzip -t "$work/off.pb.gz"
go tool pprof -raw "$work/off.pb.gz" >"$work/off.raw" 2>"$work/off.raw.err"
build_id=$(readelf -n "$work/sleeper" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p' | head -1)
mapline=$(sed -n '/^Mappings/,$p' "$work/off.raw" | grep -F " $work/sleeper " | head -1)
note "readelf -n: ${build_id:-none}; pprof -raw: ${mapline:-no mapping of the sleeper}"
check "go tool pprof -raw shows the sleeper's mapping with the build id readelf -n reads" \
	eval 'test -n "$build_id" && [[ "$mapline" == *" $build_id "* ]]'
check "and libc's mapping has a build id too" \
	eval 'sed -n "/^Mappings/,\$p" "$work/off.raw" | grep -qE "/libc\.so\.6 [0-9a-f]{16,} "'
kill "$sleeper" 2>/dev/null

# --- on-CPU: the spinner's hot function, alone and in the whole box's profile ----------------
"$work/burner" 60 >"$work/burner.out" &
burner=$!
pids+=("$burner")
wait_for 10 grep -q ready "$work/burner.out" || not_ok "the burner did not start"
pprof_top "$work/on.top" "$base/debug/pprof/profile?seconds=2&pid=$burner"
note "$(head -9 "$work/on.top")"
check "go tool pprof fetches a cpu profile from /debug/pprof/profile" \
	grep -q '^Type: cpu' "$work/on.top"
hot=$(awk '/flat%/ { getline; print $NF; exit }' "$work/on.top")
note "hottest function: ${hot:-none}"
check "its hottest function is the spinner's burn_c, under burn_b, burn_a and main" \
	eval 'test "$hot" = burn_c && grep -qE " burn_b$" "$work/on.top" &&
		grep -qE " burn_a$" "$work/on.top" && grep -qE " main$" "$work/on.top"'
pprof_top "$work/box.top" "$base/debug/pprof/profile?seconds=2"
note "$(sed -n '4,5p' "$work/box.top")"
check "the whole box's on-CPU profile names burn_c too" grep -qE " burn_c$" "$work/box.top"
kill "$burner" 2>/dev/null

# --- bad parameters: 400 and one line --------------------------------------------------------
for q in "seconds=abc" "seconds=0" "seconds=100000" "seconds=" "pid=abc" "pid=0" \
	"pid=4194303"; do
	code=$(http_code "$base/debug/pprof/offcpu?$q")
	check "offcpu?$q: 400 with one line ($(head -1 "$work/body"))" \
		eval 'test "$code" = 400 && test "$(wc -l <"$work/body")" = 1'
done
code=$(http_code "$base/debug/pprof/profile?seconds=-1")
check "profile?seconds=-1: 400" test "$code" = 400

# --- a third profile while two are taken: 429, counted ---------------------------------------
started=$(grep -c " profile of " "$work/ktop.log")
curl -s -m 60 -o /dev/null "$base/debug/pprof/offcpu?seconds=4" &
curl -s -m 60 -o /dev/null "$base/debug/pprof/profile?seconds=4" &
if wait_for 30 count_lines "$work/ktop.log" " profile of " $((started + 2)); then
	code=$(http_code "$base/debug/pprof/offcpu?seconds=1")
	check "a third profile while two are taken: 429 ($(head -1 "$work/body"))" test "$code" = 429
else
	not_ok "the two profiles started (ktop's log)"
fi
wait_for 60 eval '! jobs -r | grep -q curl'
curl -s -m 10 "$base/metrics" >"$work/metrics"
note "$(grep '^ktop_pprof_requests_total' "$work/metrics" | tr '\n' ' ')"
check "/metrics counts the refused and the bad requests" \
	eval 'grep -qE "^ktop_pprof_requests_total\{result=\"refused\"\} [1-9]" "$work/metrics" &&
		grep -qE "^ktop_pprof_requests_total\{result=\"bad\"\} ([89]|[1-9][0-9])" "$work/metrics" &&
		grep -qE "^ktop_pprof_requests_total\{result=\"served\"\} [1-9]" "$work/metrics"'

# --- the snapshots kept their interval while the profiles were taken -------------------------
end=$(date +%s.%N)
gap=$(python3 - "$work/snaps.json" "$start" "$end" <<'EOF'
import json, sys
times = []
for line in open(sys.argv[1]):
    try:
        times.append(json.loads(line)["time"])
    except (ValueError, KeyError):
        pass
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
span = [t for t in times if t0 - 1 <= t <= t1 + 1]
gaps = [b - a for a, b in zip(span, span[1:])]
print("%d %.2f" % (len(span), max(gaps) if gaps else -1))
EOF
)
note "snapshots while profiles were taken, and the longest gap (s): ${gap:-none}"
check "the 1 s snapshots went on during the profiles: no gap over 3 s" \
	eval 'set -- $gap; test "${1:-0}" -ge 10 &&
		python3 -c "import sys; sys.exit(0 if 0 < $2 <= 3 else 1)"'

# --- ktop quits at once with a long profile in progress --------------------------------------
curl -s -m 120 -o "$work/long.pb.gz" -w '%{http_code}' "$base/debug/pprof/offcpu?seconds=100" \
	>"$work/long.code" &
long=$!
wait_for 30 has_line "$work/ktop.log" " for 100 s" ||
	note "the long profile did not start"
kill -TERM "$ktop_pid"
check "SIGTERM with a 100 s profile in progress: ktop exits within 20 s" \
	wait_for 20 eval '! kill -0 "$ktop_pid" 2>/dev/null'
# the client is not left waiting either: its connection closes with ktop
check "and the client of the profile in progress is let go" \
	wait_for 20 eval '! kill -0 "$long" 2>/dev/null'
note "its answer: $(cat "$work/long.code" 2>/dev/null) (000: the connection closed)"
finish
