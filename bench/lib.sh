# Shared by the bench/ scripts (source it after setting $work): what each BPF program of a
# tracer has cost, and waiting until a tracer has attached.
# shellcheck shell=bash

# bench_prog_stats PID: "id name run_time_ns run_cnt" of each BPF program PID holds (the
# run figures count only while kernel.bpf_stats_enabled is 1).
bench_prog_stats() {
	local id
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u |
		while read -r id; do
			bpftool -j prog show id "$id" | python3 -c 'import json, sys
p = json.load(sys.stdin)
print(p["id"], p.get("name", "?"), p.get("run_time_ns", 0), p.get("run_cnt", 0))'
		done
}

# bench_attached PID: whether PID holds a BPF link or a perf event (its programs are attached).
bench_attached() {
	local fd
	grep -qs '^link_type:' /proc/"$1"/fdinfo/* && return 0
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd" 2>/dev/null) == *perf_event* ]] && return 0
	done
	return 1
}

# bench_wait_attached PID WHO: poll up to 30 s until PID's programs are attached; else say so
# (as WHO, with the first lines of $work/err) and fail.
bench_wait_attached() {
	local i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$1" 2>/dev/null || break
		if bench_attached "$1"; then
			sleep 0.3 # let every CPU see the attachment
			return 0
		fi
		sleep 0.1
	done
	echo "$2: tracer $1 did not attach: $(head -3 "$work/err")" >&2
	return 1
}

# bench_wait_line FILE TEXT WHO [SECS]: poll up to SECS (default 15) for TEXT in FILE, the
# tracer's start line, giving up early once the tracer ($tracer, when set) has exited; else
# say so (as WHO, with FILE's first lines) and fail.
bench_wait_line() {
	local i
	for ((i = 0; i < ${4:-15} * 10; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		[ -n "${tracer:-}" ] && ! kill -0 "$tracer" 2>/dev/null && break
		sleep 0.1
	done
	echo "$3: no '$2' in $1: $(head -3 "$1")" >&2
	return 1
}
