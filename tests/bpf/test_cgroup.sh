#!/usr/bin/env bash
# --cgroup on the real kernel: with a cgroup made by the test that holds one planted process
# (tests/bpf/waiter.c burst: on and off the CPU), the Overview and the Off-CPU panel (batch
# JSON) show that process and nothing else, filtered in the kernel; in the cgroup v2
# hierarchy (found in /proc/mounts) and in the v1 cpu controller's where the box has one.
# A path that is no cgroup is refused in one line. A cgroup with a CPU quota shows its
# throttling in the Overview's groups (v2 cpu.max where v2 has the cpu controller, else the v1
# cpu hierarchy's cfs_quota_us; the test says which).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

cgs=()
cleanup() {
	local c
	kill_pids
	for c in "${cgs[@]}"; do rmdir "$c" 2>/dev/null || note "cannot remove $c"; done
	cleanup_test
}
trap cleanup EXIT

gcc -O1 -pthread -o "$work/waiter" "$KTOP_TOP/tests/bpf/waiter.c" || {
	not_ok "build waiter"
	finish
}

# mount_of TYPE [OPTION]: the mount point of the first cgroup mount of TYPE (with OPTION).
mount_of() {
	awk -v t="$1" -v o="${2:-}" '$3 == t && (o == "" || ("," $4 ",") ~ ("," o ",")) \
		{ print $2; exit }' /proc/mounts
}
# make_cg DIR: a new cgroup, removed by the trap.
make_cg() { mkdir "$1" && cgs=("$1" "${cgs[@]}"); }
# start NAME ARGS...: a waiter in the background, its output in $work/NAME.out.
start() {
	local name=$1
	shift
	"$@" >"$work/$name.out" &
	pids+=($!)
}
# ready NAME: the waiter printed that it is running.
ready() { wait_for 30 grep -q ready "$work/$1.out"; }
# only_pid FILE PANEL PID: every snapshot of FILE names PID and no other process, and says
# the cgroup filter is in the kernel; prints why not.
only_pid() {
	python3 - "$@" <<'PY'
import json, sys
path, panel, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(path).read().splitlines()
if not lines:
    sys.exit("no snapshot")
for n, line in enumerate(lines, 1):
    s = json.loads(line)
    if s.get("cgroup_filter_where") != "kernel":
        sys.exit("snapshot %d: cgroup_filter_where %r" % (n, s.get("cgroup_filter_where")))
    if panel == "overview":
        seen = {p["pid"] for p in s["processes"]}
    else:
        seen = {st["pid"] for st in s["stacks"]}
    if seen - {pid}:
        sys.exit("snapshot %d: other processes %s" % (n, sorted(seen - {pid})[:10]))
if pid not in seen:
    sys.exit("the last snapshot lacks %d (it has %s)" % (pid, sorted(seen)))
PY
}
# filtered PANEL CGROUP PID LABEL: two snapshots of PANEL under --cgroup CGROUP hold PID only.
filtered() {
	local out="$work/$1-$4.json" why
	if ! timeout 90 "$KTOP" -b -P "$1" -f json -d 1 -n 2 --cgroup "$2" >"$out" \
		2>"$work/err"; then
		not_ok "$1 with --cgroup ($4) runs: $(tr '\n' ' ' <"$work/err")"
		return
	fi
	if why=$(only_pid "$out" "$1" "$3" 2>&1); then
		ok "$1 with --cgroup ($4): its process only, filtered in the kernel"
	else
		not_ok "$1 with --cgroup ($4): $why"
	fi
}

start burst "$work/waiter" burst 300
ready burst || not_ok "the planted process starts"
burst=$(awk '{ print $2; exit }' "$work/burst.out")

v2=$(mount_of cgroup2)
if [ -z "$v2" ]; then
	note "no cgroup v2 mount: v2 part skipped"
else
	cg2="$v2/ktop-test-$$"
	if make_cg "$cg2" && echo "$burst" >"$cg2/cgroup.procs"; then
		filtered overview "$cg2" "$burst" v2
		filtered offcpu "$cg2" "$burst" v2
	else
		not_ok "make a v2 cgroup in $v2 and move the process there"
	fi
fi

v1cpu=$(mount_of cgroup cpu)
if [ -z "$v1cpu" ]; then
	note "no cgroup v1 cpu hierarchy: v1 part skipped"
else
	cg1="$v1cpu/ktop-test-$$"
	if make_cg "$cg1" && echo "$burst" >"$cg1/tasks"; then
		filtered overview "$cg1" "$burst" "v1 cpu"
	else
		not_ok "make a v1 cgroup in $v1cpu and move the process there"
	fi
fi

# --- A CPU quota: the group's throttling. -----------------------------------------------------
# throttled FILE CGROUP SOURCE: the snapshots' group CGROUP was throttled, read from SOURCE.
throttled() {
	python3 - "$@" <<'PY'
import json, sys
path, name, source = sys.argv[1:4]
lines = open(path).read().splitlines()
if not lines:
    sys.exit("no snapshot")
periods = ms = 0
for line in lines:
    groups = {g["cgroup"]: g for g in json.loads(line).get("groups", [])}
    g = groups.get(name)
    if not g:
        sys.exit("no group %s (groups: %s)" % (name, sorted(groups)[:10]))
    if g.get("cpu_stat") != source:
        sys.exit("group %s: %s" % (name, g))
    periods += g["nr_throttled"]
    ms += g["throttled_ms"]
if not periods or not ms:
    sys.exit("group %s never throttled: %s" % (name, g))
PY
}
qname="ktop-quota-$$"
start quota "$work/waiter" spin 300
ready quota || not_ok "the quota spinner starts"
quota=$(awk '{ print $2; exit }' "$work/quota.out")
source=""
if [ -n "$v2" ] && grep -qw cpu "$v2/cgroup.controllers" 2>/dev/null; then
	# v2 has the cpu controller: cpu.max, 2 ms every 100 ms (a starved spinner still hits it)
	if grep -qw cpu "$v2/cgroup.subtree_control" || echo +cpu >"$v2/cgroup.subtree_control"; then
		make_cg "$v2/$qname" && echo "2000 100000" >"$v2/$qname/cpu.max" &&
			echo "$quota" >"$v2/$qname/cgroup.procs" && source=v2 && qcg="$v2/$qname"
	fi
elif [ -n "$v1cpu" ]; then
	# the cpu controller is on v1: cfs_quota_us; the process also goes to a v2 cgroup of the
	# same name where there is one, as the Overview names groups by their v2 cgroup
	make_cg "$v1cpu/$qname" && echo 100000 >"$v1cpu/$qname/cpu.cfs_period_us" &&
		echo 2000 >"$v1cpu/$qname/cpu.cfs_quota_us" &&
		echo "$quota" >"$v1cpu/$qname/tasks" && source=v1 && qcg="$v1cpu/$qname"
	if [ -n "$source" ] && [ -n "$v2" ]; then
		make_cg "$v2/$qname" && echo "$quota" >"$v2/$qname/cgroup.procs" || source=""
	fi
fi
if [ -z "$source" ]; then
	not_ok "make a cgroup with a CPU quota (v2 cpu.max or v1 cfs_quota_us)"
else
	note "the quota is set through the cpu controller of cgroup $source ($qcg)"
	if timeout 90 "$KTOP" -b -P overview -f json -d 1 -n 3 --cgroup "$qcg" \
		>"$work/quota.json" 2>"$work/err" &&
		why=$(throttled "$work/quota.json" "$qname" "$source" 2>&1); then
		ok "a cgroup with a CPU quota ($source) shows its throttling in its group"
	else
		not_ok "throttling of $qcg: ${why:-$(tr '\n' ' ' <"$work/err")}"
	fi
fi

# refused PATH WORDS: ktop -b --cgroup PATH ends with 2 and one line that says WORDS.
refused() {
	local rc
	timeout 30 "$KTOP" -b -n 1 --cgroup "$1" >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -qF -- "$2" "$work/err"; then
		ok "--cgroup $1 is refused in one line ($2)"
	else
		not_ok "--cgroup $1: exit $rc, said: $(tr '\n' ' ' <"$work/err")"
	fi
}
refused "$work/none" "No such file"
refused "$work" "not in a mounted cgroup hierarchy"

finish
