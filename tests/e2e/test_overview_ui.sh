#!/usr/bin/env bash
# End to end: the Overview panel in tmux. ktop opens on it; the sort key moves the sort column
# in the header; H lists threads, K kernel threads; Enter opens the Stacks panel of the
# selected process; s saves a file whose table matches the screen; with both CPUs saturated
# by spinners the verdict line names CPU.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -pthread -o "$work/waiter" "$KTOP_TOP/tests/bpf/waiter.c" || {
	not_ok "build waiter"
	finish
}
"$work/waiter" mutex 120 >"$work/mutex.out" &
waiter=$!
spinners=()
trap 'kill $waiter "${spinners[@]}" 2>/dev/null; cleanup_test' EXIT
wait_for 10 grep -q ready "$work/mutex.out"
locker=$(ls "/proc/$waiter/task" | grep -v "^$waiter\$" | head -1)

screen() { tm capture-pane -p -t ov; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
key() { tm send-keys -t ov "$@"; }
# pid_filter PID: type PID at the p prompt (empty: clear).
pid_filter() {
	key p
	[ -n "$1" ] && tm send-keys -t ov -l "$1"
	key Enter
}

tm -f /dev/null new-session -d -s ov -x 140 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work \
	 $KTOP -d 0.5" || { not_ok "tmux"; finish; }
check "ktop opens on the Overview" wait_for 20 eval 'has "1 Overview" && has "PID USER"'
check "the header sorts by busy time first" eval 'has "vBUSY" && has "sort busy"'
key '>'
check "> sorts by the next column: cpu, marked in the header" \
	wait_for 5 eval 'has "vCPU" && has "sort cpu" && lacks "vBUSY"'
key '>'
check "> again: runq" wait_for 5 eval 'has "vRUNQ" && lacks "vCPU"'
key '<' '<'
check "< twice: back to busy" wait_for 5 has "vBUSY"

pid_filter "$waiter"
check "p filters the table to the waiter" \
	wait_for 10 eval 'screen | grep -qE "^ +$waiter .* waiter" && has "1 processes"'
check "its row is a process: 2 threads, all waiting" \
	eval 'screen | grep -E "^ +$waiter " | grep -qE " 2 S "'
key H
check "H shows thread rows: the locker thread by its TID" \
	wait_for 5 eval 'screen | grep -qE "^ +$locker .* waiter" && has "2 threads"'
check "the locker thread waits on a lock the whole time" \
	wait_for 5 eval 'screen | grep -E "^ +$locker " | grep -qE " 0\.00 +0\.00 +0\.00 +(0\.99|1\.00) +0\.00 +0\.00 +0\.00 +0\.00 +(0\.99|1\.00) "'
key H

pid_filter 2
check "kernel threads are hidden by default (kthreadd, PID 2)" \
	wait_for 10 eval 'has "kernel threads hidden" && lacks "kthreadd"'
key K
check "K shows them" wait_for 5 eval 'has "kernel threads shown" && has "kthreadd"'
key K

pid_filter "$waiter"
wait_for 10 eval 'screen | grep -qE "^ +$waiter .* waiter"'
key Space
wait_for 5 has "PAUSED"
screen >"$work/screen.txt"
key s
check "s saves the panel" wait_for 5 eval 'ls "$work"/ktop-*.txt >/dev/null 2>&1'
saved=$(ls "$work"/ktop-*.txt 2>/dev/null | head -1)
title=$(grep -E "^ +PID USER" "$work/screen.txt" | sed 's/ *$//')
row=$(grep -E "^ +$waiter " "$work/screen.txt" | sed 's/ *$//')
note "screen row: $row"
check "the saved file has the screen's column titles" grep -qxF -- "$title" "$saved"
check "and the waiter's row as the screen shows it" grep -qxF -- "$row" "$saved"
key Space

key Enter
check "Enter opens the Stacks panel of the selected process" \
	wait_for 10 eval 'has "pid $waiter waiter" && has "5 Stacks"'
key 1
pid_filter ""
wait_for 5 has "pid: all"

for _ in 1 2 3 4; do
	"$work/waiter" spin 30 >/dev/null &
	spinners+=($!)
done
check "both CPUs saturated: the verdict names CPU" wait_for 15 has "CPU saturated"
kill "${spinners[@]}" 2>/dev/null
key q
check "q quits" wait_for 10 eval '! tm has-session -t ov 2>/dev/null'
finish
