#!/usr/bin/env bash
# End to end: the C key sets the cgroup filter. In tmux, C and a cgroup directory made by the
# test (in the cgroup v2 hierarchy found in /proc/mounts) limit the Overview to the process in
# it, and the header names the cgroup and the panels that filter it in the kernel; G groups
# the rows, the group's row with its process count and its own pressure; C with an empty line
# clears it; a path that is no cgroup is refused at the prompt.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$v2" ]; then
	ok "# SKIP no cgroup v2 mount"
	finish
fi
cg="$v2/ktop-ui-$$"
gcc -O1 -pthread -o "$work/waiter" "$KTOP_TOP/tests/bpf/waiter.c" || {
	not_ok "build waiter"
	finish
}
"$work/waiter" burst 300 >"$work/burst.out" &
burst=$!
trap 'kill $burst 2>/dev/null; wait; rmdir "$cg" 2>/dev/null; cleanup_test' EXIT
wait_for 30 grep -q ready "$work/burst.out" || not_ok "the planted process starts"
mkdir "$cg" && echo "$burst" >"$cg/cgroup.procs" || {
	not_ok "make $cg and move the process there"
	finish
}

screen() { tm capture-pane -p -t cg; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
key() { tm send-keys -t cg "$@"; }
# cgroup_prompt TEXT: C, clear what the prompt holds, type TEXT, Enter.
cgroup_prompt() {
	key C
	key C-u
	[ -n "$1" ] && tm send-keys -t cg -l "$1"
	key Enter
}
# rows: the PIDs of the table's process rows.
rows() { screen | awk '$1 ~ /^[0-9]+$/ && $5 ~ /^[RSDXZ]$/ { print $1 }' | sort -u; }

tm -f /dev/null new-session -d -s cg -x 160 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work \
	 $KTOP -d 0.5" || { not_ok "tmux"; finish; }
check "ktop opens on the Overview" wait_for 30 eval 'has "1 Overview" && has "PID USER"'
check "no cgroup filter at first, many processes" \
	eval 'lacks "cgroup: " && [ "$(rows | wc -l)" -gt 1 ]'
cgroup_prompt "$cg"
check "C sets the filter: the header names the cgroup, filtered in the kernel" \
	wait_for 10 eval 'has "cgroup: $cg (in the kernel: overview"'
check "the table holds the cgroup's process only" \
	wait_for 10 eval '[ "$(rows)" = "$burst" ]'
key G
check "G groups the rows: the cgroup's group row counts its one process" \
	wait_for 10 eval 'screen | grep -E "^ +group +ktop-ui-" | grep -qF "1 processes"'
if [ -r "$cg/cpu.pressure" ]; then
	check "and shows the cgroup's own pressure" \
		wait_for 10 eval 'screen | grep -E "^ +group +ktop-ui-" | grep -qE "psi cpu [0-9]+%"'
fi
key G
cgroup_prompt "$work"
check "a directory that is no cgroup is refused at the prompt" \
	wait_for 10 has "not in a mounted cgroup hierarchy"
key Escape
cgroup_prompt ""
check "C with an empty line clears it" \
	wait_for 10 eval 'lacks "cgroup: " && [ "$(rows | wc -l)" -gt 1 ]'
key q
finish
