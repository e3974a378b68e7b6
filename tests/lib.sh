# Shared helpers for the shell test tiers (bpf, e2e): TAP lines, polling, clean-up.
# shellcheck shell=bash

KTOP=${KTOP:?KTOP must name the ktop binary}
KTOP_TOP=${KTOP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
tests_failed=0

ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	tests_failed=1
}
# check DESCRIPTION COMMAND...: one TAP line from a command's success.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# note TEXT: a diagnostic line, shown when a test fails.
note() { echo "# $*"; }
# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds; false on time-out.
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# ktop_progs_loaded: whether any of ktop's BPF programs is still in the kernel.
ktop_progs_loaded() {
	bpftool prog show 2>/dev/null | grep -qE 'name (bio_)'
}
finish() { exit "$tests_failed"; }
