#!/usr/bin/env bash
# pprof profiles (-b -f pprof -o FILE) read by a real client, Debian's `go tool pprof`: the
# Off-CPU profile of the planted sleeper (tests/bpf/sleeper.c) names its user functions with
# a total within 15% of the time it slept while ktop watched, one file per interval beside
# the whole run's, pid/tid/comm labels, the sleeper's mapping with the build id readelf -n
# reads, files created 0600 and never over an existing one;
# the on-CPU profile (Stacks panel) of a spinner (tests/bpf/burner.c) names its hot function;
# -f pprof without -o or on a panel without stacks fails with one line.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

command -v go >/dev/null || { not_ok "go tool pprof: no go (Debian's golang-go)"; finish; }
export HOME="$work/home" GOCACHE="$work/gocache" GOPATH="$work/gopath"
mkdir -p "$HOME"
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$KTOP_TOP/tests/bpf/sleeper.c" || { not_ok "build sleeper"; finish; }
gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -pthread -o "$work/burner" \
	"$KTOP_TOP/tests/bpf/burner.c" || { not_ok "build burner"; finish; }

# top FILE: go tool pprof's -top of FILE, values in ms, every node.
top() {
	go tool pprof -top -unit=ms -nodecount=500 "$1" 2>"$work/pprof.err"
}
# total_ms TOPFILE: the "Total samples = N ms" of a -top output ("" when absent).
total_ms() {
	sed -n 's/.*Total samples = \([0-9.]*\)ms.*/\1/p' "$1" | head -1
}
# duration_ms TOPFILE: the "Duration: 1.2s" (or 950ms) of a -top output in ms ("" when absent).
duration_ms() {
	sed -n 's/^Duration: \([0-9.]*\)\(m\?s\),.*/\1 \2/p' "$1" | head -1 |
		awk '{ print $2 == "s" ? $1 * 1000 : $1 }'
}
# within PCT GOT WANT: whether GOT is within PCT% of WANT.
within() {
	python3 -c "import sys; sys.exit(0 if abs(float('$2') - $3) <= $1 / 100 * $3 else 1)"
}

"$work/sleeper" chain 8 >"$work/out1" &
sleeper=$!
wait_for 5 grep -q ready "$work/out1" || not_ok "the sleeper did not start"
"$KTOP" -b -P offcpu -p "$sleeper" -d 1 -n 3 -f pprof -o "$work/off.pb.gz" 2>"$work/err"
rc=$?
check "ktop -f pprof -o exits 0" test "$rc" = 0
[ "$rc" = 0 ] || note "$(cat "$work/err")"
check "one profile per interval (FILE.1 to FILE.3) beside the whole run's (FILE)" \
	test -s "$work/off.pb.gz" -a -s "$work/off.pb.gz.1" -a -s "$work/off.pb.gz.2" \
	-a -s "$work/off.pb.gz.3" -a ! -e "$work/off.pb.gz.4"
check "the files are created mode 0600" \
	test "$(stat -c %a "$work/off.pb.gz")" = 600 -a "$(stat -c %a "$work/off.pb.gz.2")" = 600
check "they are gzip-compressed" eval 'gzip -t "$work/off.pb.gz" "$work/off.pb.gz.1"'
top "$work/off.pb.gz" >"$work/off.top"
note "$(head -12 "$work/off.top")"
[ -s "$work/pprof.err" ] && note "go tool pprof: $(head -3 "$work/pprof.err")"
check "go tool pprof reads it as an off_cpu profile" grep -q '^Type: off_cpu' "$work/off.top"
for f in main chain_a chain_b chain_c nap; do
	check "it lists the sleeper's $f" grep -qE " $f\$" "$work/off.top"
done
check "and the kernel's sleep" grep -qE ' (do_nanosleep|schedule)$' "$work/off.top"
# The sleeper slept all the time ktop watched: the span the profile covers (duration_nanos,
# from the collector's start: three 1 s intervals and what came before the first).
total=$(total_ms "$work/off.top")
span=$(duration_ms "$work/off.top")
note "off-CPU total of the whole run: ${total:-none} ms over ${span:-none} ms"
check "the whole run's profile spans the 3 intervals at least" \
	eval 'test -n "$span" && python3 -c "import sys; sys.exit(0 if $span >= 2900 else 1)"'
check "its total is the time the sleeper slept while ktop watched, within 15%" \
	eval 'test -n "$span" && within 15 "${total:-0}" "$span"'
# An interval's profile covers the span between two polls, as its duration_nanos says.
top "$work/off.pb.gz.2" >"$work/off2.top"
total=$(total_ms "$work/off2.top")
span=$(duration_ms "$work/off2.top")
note "off-CPU total of the second interval: ${total:-none} ms over ${span:-none} ms"
check "the second interval's names chain_c and its total is its duration, within 15%" \
	eval 'grep -qE " chain_c$" "$work/off2.top" && test -n "$span" &&
		within 15 "${total:-0}" "$span"'
go tool pprof -raw "$work/off.pb.gz" >"$work/off.raw" 2>"$work/pprof.err"
build_id=$(readelf -n "$work/sleeper" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p' | head -1)
mapline=$(sed -n '/^Mappings/,$p' "$work/off.raw" | grep -F " $work/sleeper " | head -1)
note "readelf -n: ${build_id:-none}; pprof -raw: ${mapline:-no mapping of the sleeper}"
check "the sleeper's mapping has the build id readelf -n reads, and the profile its name" \
	eval 'test -n "$build_id" && [[ "$mapline" == *" $build_id "* ]] &&
		grep -q "^File: sleeper" "$work/off.top"'
go tool pprof -tags "$work/off.pb.gz" >"$work/off.tags" 2>"$work/pprof.err"
check "the process, thread and name are labels" \
	eval 'grep -q "comm: Total" "$work/off.tags" && grep -qE "^ +[0-9.]+m?s .*: $sleeper\$" \
		"$work/off.tags" && grep -qE ": sleeper$" "$work/off.tags" &&
		grep -q "tid: Total" "$work/off.tags"'
wait "$sleeper"

# An existing file is never written over.
echo keep >"$work/taken"
"$KTOP" -b -P offcpu -d 1 -n 1 -f pprof -o "$work/taken" 2>"$work/err"
rc=$?
check "an existing -o FILE is refused (exit 2) and kept" \
	eval 'test "$rc" = 2 && grep -q "File exists" "$work/err" && test "$(cat "$work/taken")" = keep'

"$work/burner" 8 >"$work/out2" &
burner=$!
wait_for 5 grep -q ready "$work/out2" || not_ok "the burner did not start"
"$KTOP" -b -P stacks -p "$burner" -d 2 -n 1 -f pprof -o "$work/on.pb.gz" 2>"$work/err"
check "ktop -P stacks -f pprof exits 0" test $? = 0
top "$work/on.pb.gz" >"$work/on.top"
note "$(head -10 "$work/on.top")"
check "go tool pprof reads an on-CPU profile" grep -q '^Type: cpu' "$work/on.top"
# the first node of -top has the most flat time: the burner's spinning function
hot=$(awk '/flat%/ { getline; print $NF; exit }' "$work/on.top")
note "hottest function: ${hot:-none}"
check "its hottest function is the spinner's burn_c" test "$hot" = burn_c
check "under burn_b, burn_a and main" \
	eval 'grep -qE " burn_b$" "$work/on.top" && grep -qE " burn_a$" "$work/on.top" &&
		grep -qE " main$" "$work/on.top"'
go tool pprof -top -sample_index=samples "$work/on.pb.gz" >"$work/on-count.top" 2>/dev/null
check "samples/count is the other sample type" grep -qE '^Type: samples' "$work/on-count.top"
kill "$burner" 2>/dev/null
wait "$burner" 2>/dev/null

"$KTOP" -b -P offcpu -n 1 -f pprof >/dev/null 2>"$work/err"
rc=$?
note "$(cat "$work/err")"
check "-f pprof without -o: exit 2 and one line" \
	eval 'test "$rc" = 2 && grep -q "needs -o FILE" "$work/err" && test "$(wc -l <"$work/err")" = 1'
"$KTOP" -b -P bio -n 1 -f pprof -o "$work/bio.pb.gz" >/dev/null 2>"$work/err"
rc=$?
check "-f pprof on a panel without stacks: exit 2, no file" \
	eval 'test "$rc" = 2 && grep -q "needs a stack panel" "$work/err" && test ! -e "$work/bio.pb.gz"'
finish
