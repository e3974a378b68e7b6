#!/usr/bin/env bash
# ktop itself stopped (SIGSTOP) for 3 s and continued (SIGCONT) in batch mode, JSON and text:
# it resumes and prints every snapshot it was asked for, and the snapshot that covers the stop
# says so: its "interval" spans the stop, its "gap" is the time beyond one refresh (at least
# 2 s of a 3 s stop at -d 1), "gaps_since_reset" adds it up, and the text header notes
# "gap N.N s"; the stopped time is never folded into one long interval silently.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"


"$KTOP" -b -P overview -d 1 -n 4 -f json >"$work/out.json" 2>"$work/err.json" &
json=$!
"$KTOP" -b -P overview -d 1 -n 4 -f text >"$work/out.txt" 2>"$work/err.txt" &
text=$!
pids=("$json" "$text")
if ! wait_for 45 lines_at_least "$work/out.json" 1 || ! wait_for 45 grep -q every "$work/out.txt"
then
	not_ok "ktop prints a first snapshot ($(head -2 "$work/err.json" "$work/err.txt"))"
	finish
fi
kill -STOP "$json" "$text"
sleep 3
check "ktop was stopped (state T)" grep -q '^State:.*T' "/proc/$json/status"
kill -CONT "$json" "$text"
wait "$json"
rc_json=$?
wait "$text"
rc_text=$?
pids=()
check "it resumes and ends normally (exit codes $rc_json, $rc_text)" \
	test "$rc_json" = 0 -a "$rc_text" = 0
check "it prints the 4 JSON snapshots asked for" test "$(wc -l <"$work/out.json")" = 4

# A line per snapshot: interval gap gaps_since_reset.
python3 - "$work/out.json" >"$work/gaps" <<'PY' || not_ok "the JSON parses: $(head -c 300 "$work/out.json")"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print(d["interval"], d["gap"], d["gaps_since_reset"])
PY
note "interval gap gaps_since_reset: $(tr '\n' ';' <"$work/gaps")"
check "one snapshot covers the stop: its interval is 3 s or more and its gap 2 s or more" \
	awk '$1 >= 3 && $2 >= 2 { n++ } END { exit n != 1 }' "$work/gaps"
check "that interval is one refresh plus the gap" \
	awk '$2 >= 2 { d = $1 - $2; exit !(d > 0.99 && d < 1.01) }' "$work/gaps"
check "gaps_since_reset adds the gaps up" \
	awk '{ s += $2; if ($3 < s - 0.01 || $3 > s + 0.01) bad = 1 } END { exit bad }' "$work/gaps"
check "the text header of that snapshot notes the gap" grep -qE 'gap [2-9][0-9]*\.[0-9] s' \
	"$work/out.txt"
finish
