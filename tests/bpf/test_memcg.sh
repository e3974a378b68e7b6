#!/usr/bin/env bash
# ktop in a memory cgroup too small for it (cgroup v1's memory controller, else v2): it says
# so on its first line, before the kernel's OOM killer can end it without a word; after the
# kill nothing of it stays in the kernel. In a roomy cgroup it says nothing and runs.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

cgs=()
cleanup() {
	local d
	for d in "${cgs[@]}"; do rmdir "$d" 2>/dev/null; done
	cleanup_test
}
trap cleanup EXIT

# make_cg NAME BYTES: a memory cgroup with that limit; its directory in $cg.
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	make_cg() {
		cg=/sys/fs/cgroup/memory/$1
		mkdir -p "$cg" && cgs+=("$cg") && echo "$2" >"$cg/memory.limit_in_bytes"
	}
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	make_cg() {
		cg=/sys/fs/cgroup/$1
		mkdir -p "$cg" && cgs+=("$cg") && echo "$2" >"$cg/memory.max"
	}
else
	echo "not ok - no memory cgroup controller on this box # SKIP"
	finish
fi

# in_cg DIR ARGS...: run ktop with ARGS inside the cgroup DIR; its exit status.
in_cg() {
	local dir=$1
	shift
	(echo "$BASHPID" >"$dir/cgroup.procs" && exec "$KTOP" "$@")
}

make_cg "ktop-test-small-$$" $((12 << 20)) || { not_ok "make a 12 MiB cgroup"; finish; }
in_cg "$cg" -b -P offcpu -d 1 -n 2 -f json >"$work/small.out" 2>"$work/small.err"
rc=$?
note "in 12 MiB: exit $rc, first line: $(head -1 "$work/small.err")"
check "in a 12 MiB cgroup the first line warns that ktop may be killed" \
	eval 'head -1 "$work/small.err" | grep -q "warning: memory cgroup /.*ktop-test-small.* allows ktop .* MiB more (limit 12.0 MiB); it needs about 64 MiB and may be killed"'
check "no program of ktop's is left in the kernel" wait_for 10 eval '! ktop_progs_loaded'

make_cg "ktop-test-roomy-$$" $((512 << 20)) || { not_ok "make a 512 MiB cgroup"; finish; }
in_cg "$cg" -b -P overview -d 0.5 -n 1 -f json >"$work/roomy.out" 2>"$work/roomy.err"
rc=$?
check "in a 512 MiB cgroup ktop runs (exit $rc)" test "$rc" = 0
check "and warns of nothing" eval '! grep -q "memory cgroup" "$work/roomy.err"'
check "and prints its snapshot" grep -q '"panel": *"overview"' "$work/roomy.out"
finish
