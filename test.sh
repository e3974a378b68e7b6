#!/usr/bin/env bash
# Build ktop (and a sanitizer build), then run every test tier; ends with "N passed, N failed".
#   ./test.sh            all tiers: unit, bpf, e2e, asan-unit, asan-e2e, fuzz, pkg
#   ./test.sh unit e2e   only these tiers
set -uo pipefail
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(unit bpf e2e asan-unit asan-e2e fuzz pkg)

need_asan=0
need_fuzz=0
for t in "${tiers[@]}"; do
	case "$t" in
	asan-*) need_asan=1 ;;
	fuzz) need_fuzz=1 ;;
	esac
done

scripts/setup.sh --tests || { echo "test.sh: build failed"; echo "0 passed, 1 failed"; exit 1; }
make -C build -s -j"$(nproc)" check TESTS= >/dev/null ||
	{ echo "test.sh: unit test build failed"; echo "0 passed, 1 failed"; exit 1; }
if [ "$need_asan" = 1 ]; then
	if ! scripts/setup.sh --tests --build-dir "$top/build-asan" \
		--configure-flags "--enable-sanitizers" ||
		! make -C build-asan -s -j"$(nproc)" check TESTS= >/dev/null; then
		echo "test.sh: sanitizer build failed"; echo "0 passed, 1 failed"; exit 1
	fi
fi

if [ "$need_fuzz" = 1 ] && ! scripts/setup.sh --tests --build-dir "$top/build-fuzz" \
	--configure-flags "CC=clang --enable-fuzzing"; then
	echo "test.sh: fuzz build failed"; echo "0 passed, 1 failed"; exit 1
fi

logdir=$(mktemp -d /tmp/ktop-tests.XXXXXX)
# No settings file of this box's user reaches the tests (ktop reads ~/.config/ktop/ktoprc).
export XDG_CONFIG_HOME="$logdir/config"
passed=0
failed=0
skipped=0
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"

# Run one test program; count its TAP lines (a non-zero exit without a failed line counts one).
run_one() {
	local tier=$1 name=$2 log
	shift 2
	log="$logdir/$tier-$(basename "$name").log"
	local start=$SECONDS
	# a script that hangs fails alone instead of holding up the whole run (and CI)
	timeout -k 10 "${KTOP_TEST_TIMEOUT:-900}" "$@" >"$log" 2>&1
	local rc=$?
	[ "$rc" = 124 ] && echo "# timed out after ${KTOP_TEST_TIMEOUT:-900} s" >>"$log"
	local ok nok skip
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep '^not ok ' "$log" | grep -vc '# SKIP')
	skip=$(grep '^not ok ' "$log" | grep -c '# SKIP')
	skipped=$((skipped + skip))
	if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		nok=1
		# what it printed last (a shell error, a crash) is the only account of why
		tail -n 5 "$log" | sed 's/^/# last words: /' >>"$log"
		echo "not ok - $name exited with $rc" >>"$log"
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
	printf '%-10s %-36s %3d passed %3d failed  %3ds\n' "$tier" "$(basename "$name")" "$ok" \
		"$nok" $((SECONDS - start))
	if [ "$nok" != 0 ]; then
		grep -E '^not ok|^#' "$log" | grep -v '# SKIP' | head -20 | sed 's/^/    /'
		echo "    (full log: $log)"
	fi
}

run_unit() { # run_unit TIER BUILD_DIR
	for t in "$top/$2"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *.o | *.c) continue ;; esac
		run_one "$1" "$t" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	done
}

run_scripts() { # run_scripts TIER DIR KTOP_BINARY
	for t in "$top/tests/$2"/test_*.sh; do
		[ -f "$t" ] || continue
		run_one "$1" "$t" env KTOP="$top/$3" KTOP_TOP="$top" bash "$t"
	done
}

for tier in "${tiers[@]}"; do
	case "$tier" in
	unit) run_unit unit build ;;
	bpf) run_scripts bpf bpf build/ktop ;;
	e2e) run_scripts e2e e2e build/ktop ;;
	asan-unit) run_unit asan-unit build-asan ;;
	asan-e2e) run_scripts asan-e2e e2e build-asan/ktop ;;
	# every libFuzzer target for a few seconds (bench/fuzz.sh runs them for longer)
	fuzz) run_one fuzz tests/fuzz/run.sh bash "$top/tests/fuzz/run.sh" "$top/build-fuzz" \
		"${KTOP_FUZZ_SECONDS:-5}" "$logdir/fuzz" ;;
	pkg) run_scripts pkg pkg build/ktop ;; # builds the .deb from a copy of the tree
	*) echo "test.sh: unknown tier '$tier' (unit, bpf, e2e, asan-unit, asan-e2e, fuzz, pkg)"; exit 2 ;;
	esac
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
