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
	bpftool prog show 2>/dev/null | grep -qE 'name (bio_|offcpu_|sched_sw|sched_wakeup)'
}
finish() { exit "$tests_failed"; }
# need_tools TOOL...: each is installed (scripts/setup.sh --tests), else a failed line and exit.
need_tools() {
	local tool
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			not_ok "$tool is installed (scripts/setup.sh --tests)"
			finish
		fi
	done
}
# has_line FILE TEXT: FILE contains TEXT.
has_line() { grep -qF -- "$2" "$1" 2>/dev/null; }
# lines_at_least FILE N: FILE has N lines or more.
lines_at_least() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
# start_burner SECONDS: tests/bpf/burner.c built into $work (frame pointers, debug info) and run
# for SECONDS, its PID in $burner (killed by cleanup_test); fails with a not ok if it does not.
start_burner() {
	gcc -O1 -g -pthread -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/burner" \
		"$KTOP_TOP/tests/bpf/burner.c" || { not_ok "build burner"; return 1; }
	"$work/burner" "$1" >"$work/burner.out" &
	burner=$!
	pids+=("$burner")
	wait_for 15 grep -q ready "$work/burner.out" || { not_ok "the burner starts"; return 1; }
}
# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Scratch state of a test, undone by cleanup_test: a work dir, a loop device, a background
# writer, the background processes a script adds to pids, and a tmux server.
work=$(mktemp -d /tmp/ktop-test.XXXXXX)
loop=""
writer=""
pids=()
sock="ktop-test-$$"
# kill_pids: stop the processes in pids (a stopped one too) and reap them (only them: the
# background writer runs until cleanup_test stops it).
kill_pids() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null && kill -CONT "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}
cleanup_test() {
	kill_pids
	if [ -n "$writer" ]; then
		kill "$writer" 2>/dev/null
		pkill -P "$writer" 2>/dev/null # the dd it is running
	fi
	wait 2>/dev/null
	tmux -L "$sock" kill-server 2>/dev/null
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$work"
}
trap cleanup_test EXIT
tm() { tmux -L "$sock" "$@"; }
# loop_new SIZE: a loop device over a sparse file in $work, in $loop.
loop_new() {
	truncate -s "$1" "$work/disk.img" && loop=$(losetup -f --show "$work/disk.img")
}
# loop_add_high: make a new /dev/loopN at a free index from 200 (losetup -f hands out the
# lowest free ones) and print N; nothing where none is free.
loop_add_high() {
	python3 -c 'import errno, fcntl, os
fd = os.open("/dev/loop-control", os.O_RDWR)
for i in range(200, 256):
    try:
        print(fcntl.ioctl(fd, 0x4C80, i))  # LOOP_CTL_ADD
        break
    except OSError as e:
        if e.errno != errno.EEXIST:
            raise
'
}
# remove_loop N: delete /dev/loopN (must be detached), like a disk unplugged.
remove_loop() {
	python3 -c 'import fcntl, os, sys
fd = os.open("/dev/loop-control", os.O_RDWR)
fcntl.ioctl(fd, 0x4C81, int(sys.argv[1]))  # LOOP_CTL_REMOVE
' "$1" 2>/dev/null
}
# writer_start BLOCKS: 4 KiB direct writes to $loop, BLOCKS at a time, until cleanup.
writer_start() {
	(while :; do dd if=/dev/zero of="$loop" bs=4k count="$1" oflag=direct status=none; done) &
	writer=$!
}
