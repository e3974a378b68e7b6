#!/usr/bin/env bash
# Run libFuzzer targets: first every kept regression input, then fuzzing from the seed corpus
# for SECONDS each. TAP lines; a crash's input is kept under OUT_DIR and named in the failure.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS OUT_DIR [TARGET...]  (TARGET: sql, elf, ...)
set -uo pipefail
build=$1 seconds=$2 out=$3
shift 3
src=$(cd "$(dirname "$0")" && pwd)
failed=0
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for f in "$build"/tests/fuzz/fuzz_*; do
		case "$f" in *.o) continue ;; esac
		[ -x "$f" ] && targets+=("${f##*/fuzz_}")
	done
fi
[ ${#targets[@]} -gt 0 ] || { echo "not ok - no fuzz target built in $build"; exit 1; }
mkdir -p "$out"
for t in "${targets[@]}"; do
	bin="$build/tests/fuzz/fuzz_$t"
	log="$out/$t.log"
	if [ -d "$src/regress/$t" ]; then
		if "$bin" -runs=1 "$src/regress/$t"/* >"$log" 2>&1; then
			echo "ok - fuzz_$t: every kept regression input runs clean"
		else
			echo "not ok - fuzz_$t: a kept regression input fails again (log: $log)"
			failed=1
		fi
	fi
	corpus=$(mktemp -d /tmp/ktop-fuzz-corpus.XXXXXX)
	if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/$t-" "$corpus" "$src/corpus/$t" >"$log" 2>&1; then
		runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
		echo "ok - fuzz_$t: ${runs:-?} inputs in ${seconds}s, no crash, leak or hang"
	else
		crash=$(ls "$out/$t-"* 2>/dev/null | head -1)
		echo "not ok - fuzz_$t: $(grep -m1 -E 'SUMMARY|ERROR' "$log") (input: ${crash:-none}, log: $log)"
		failed=1
	fi
	rm -rf "$corpus"
done
exit "$failed"
