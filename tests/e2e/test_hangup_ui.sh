#!/usr/bin/env bash
# The terminal goes away under ktop (an SSH session dropped): at a prompt, on the help screen
# and in the flame view, ktop exits on the hangup and leaves no BPF program behind; nothing it
# traced is touched.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

sleep 600 &
bystander=$!
trap 'kill $bystander 2>/dev/null; cleanup_test' EXIT

# prog_ids PID: the ids of the BPF programs whose file descriptors PID holds.
prog_ids() { awk '/^prog_id:/ { print $2 }' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u; }
# any_loaded IDS...: whether any of these programs is still in the kernel.
any_loaded() {
	local id
	for id in "$@"; do bpftool prog show id "$id" >/dev/null 2>&1 && return 0; done
	return 1
}

# hangup_in NAME KEYS...: start ktop in its own tmux session, press KEYS, kill the session.
hangup_in() {
	local name=$1 pid ids
	shift
	tm -f /dev/null new-session -d -s "$name" -x 120 -y 30 \
		"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 \
		 $KTOP -P offcpu -d 0.5" || { not_ok "tmux"; return; }
	pid=$(tm display-message -p -t "$name" '#{pane_pid}')
	if ! wait_for 15 eval 'tm capture-pane -p -t "$name" | grep -q "Off-CPU"'; then
		not_ok "$name: ktop starts ($(tm capture-pane -p -t "$name" | head -3 | tr '\n' ' '))"
		return
	fi
	tm send-keys -t "$name" "$@"
	sleep 0.5
	check "$name: ktop was still running before the hangup" kill -0 "$pid"
	mapfile -t ids < <(prog_ids "$pid")
	check "$name: ktop holds its BPF programs (${#ids[@]})" test "${#ids[@]}" -gt 0
	tm kill-session -t "$name"
	check "$name: ktop exits when its terminal goes away" \
		wait_for 10 eval '! kill -0 "$pid" 2>/dev/null'
	check "$name: none of its BPF programs is left" wait_for 10 eval '! any_loaded "${ids[@]}"'
}
hangup_in prompt /
hangup_in help h
hangup_in flame f
check "the process it traced was left alone" kill -0 "$bystander"
finish
