#!/usr/bin/env bash
# The sched collector behind the Overview panel, on the real kernel, against planted workloads
# (tests/bpf/waiter.c) whose time class is known: spinners sharing a CPU split their time
# between cpu and runq (and agree with /proc/PID/schedstat), a spinner alone is not kept
# waiting; a mutex wait is lock (also one begun before ktop started: the whole interval), a
# nanosleep is sleep, a recv on a quiet TCP socket is net, an empty epoll_wait is poll, direct
# writes with fsync to a loop device are io; the box's run-queue p99 grows with four spinners
# on two CPUs and falls after; the JSON contract; the raw_tp fallback; nothing left behind.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -pthread -o "$work/waiter" "$KTOP_TOP/tests/bpf/waiter.c" || {
	not_ok "build waiter"
	finish
}

# start NAME ARGS...: run a waiter in the background, its output in $work/NAME.out.
start() {
	local name=$1
	shift
	"$@" >"$work/$name.out" &
	pids+=($!)
}
# pid_of NAME: the PID a started waiter printed once ready.
pid_of() {
	wait_for 10 grep -q ready "$work/$1.out" && awk '{ print $2; exit }' "$work/$1.out"
}
# share FILE LINE PID CLASS: the class's ms of the process over the interval's wall ms.
share() {
	python3 - "$@" <<'PY'
import json, sys
path, line, pid, cls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
snap = json.loads(open(path).read().splitlines()[line - 1])
for p in snap["processes"]:
    if p["pid"] == pid:
        print("%.3f" % (p["states_ms"][cls] / (snap["interval_s"] * 1000)))
        break
else:
    print("-1")
PY
}
# in_range VALUE LOW HIGH: LOW <= VALUE <= HIGH.
in_range() { python3 -c "import sys; sys.exit(0 if $2 <= $1 <= $3 else 1)"; }

# --- Spinners: two share CPU 0, one has CPU 1 to itself. --------------------------------------
# Each in its own session, whose autogroup gets nice -20 (once the spinner runs: a process is
# in its parent's autogroup until it calls setsid), so that whatever else the box runs takes
# little of their CPUs. ktop runs on CPU 0, so that the lone spinner's CPU is its own, as a
# real-time task where the box allows one (else boosted like them), so that the two spinners
# there never starve it: a starved ktop reads the map long before it reads the clock, and its
# interval and the test's reads of schedstat are no longer the same window. They start once
# ktop traces, and live well past the two snapshots (they are killed after them: a late
# snapshot must not find them gone); the second interval is measured, and /proc/PID/schedstat
# is read as each snapshot comes out, read through a FIFO: polling the file would fork and
# exec a process every 0.1 s, on the lone spinner's CPU (the other is full), and take a fifth
# of it.
# ss_read VAR PID: VAR="ns on the CPU, ns waiting on a run queue" of PID, with no fork.
ss_read() {
	local on=0 wait=0
	read -r on wait _ <"/proc/$2/schedstat" || note "no /proc/$2/schedstat"
	printf -v "$1" '%s %s' "$on" "$wait"
}
boost() { echo -20 >"/proc/$1/autogroup" 2>/dev/null || note "no autogroup for $1"; }
# read_snapshot FILE: one JSON line of ktop's from the FIFO appended to FILE, or a failed test.
read_snapshot() {
	local line
	if read -r -t 30 -u "$jfd" line; then
		printf '%s\n' "$line" >>"$1"
	else
		not_ok "a snapshot from ktop within 30 s ($(tr '\n' ' ' <"$work/err"))"
		finish
	fi
}
rt=()
chrt -f 1 true 2>/dev/null && rt=(chrt -f 1)
mkfifo "$work/spin.fifo"
setsid "${rt[@]}" taskset -c 0 "$KTOP" -b -P overview -d 6 -n 2 -f json >"$work/spin.fifo" \
	2>"$work/err" &
ktop=$!
exec {jfd}<"$work/spin.fifo"
wait_for 30 grep -q tracing "$work/err"
[ ${#rt[@]} = 0 ] && boost "$ktop"
note "ktop runs as ${rt[*]:-a boosted normal task}"
start spin_a setsid taskset -c 0 "$work/waiter" spin 60
start spin_b setsid taskset -c 0 "$work/waiter" spin 60
start spin_c setsid taskset -c 1 "$work/waiter" spin 60
a=$(pid_of spin_a) b=$(pid_of spin_b) c=$(pid_of spin_c)
boost "$a"
boost "$b"
boost "$c"
read_snapshot "$work/spin.json"
ss_read sa0 "$a"; ss_read sb0 "$b"; ss_read sc0 "$c"; t0=$EPOCHREALTIME
read_snapshot "$work/spin.json"
ss_read sa1 "$a"; ss_read sb1 "$b"; ss_read sc1 "$c"; t1=$EPOCHREALTIME
exec {jfd}<&-
wait "$ktop"
check "one JSON object with panel, interval_s, system, processes" python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert s["panel"] == "overview" and s["interval_s"] > 0
assert "runq_p50_us" in s["system"] and "runq_p99_us" in s["system"]
p = s["processes"][0]
for k in ("pid", "comm", "cgroup", "threads", "states_ms"):
    assert k in p, k
assert sorted(p["states_ms"]) == sorted(["cpu", "runq", "io", "lock", "net", "sleep", "poll", "other"])
assert s["system"]["switches_repaired"] >= 0
' "$work/spin.json"
for who in a b; do
	pid=${!who}
	cpu=$(share "$work/spin.json" 2 "$pid" cpu)
	runq=$(share "$work/spin.json" 2 "$pid" runq)
	note "spinner $who on CPU 0 with another: cpu $cpu runq $runq of its wall time"
	check "spinner $who sharing CPU 0: cpu near half its time (within 15 points)" \
		in_range "$cpu" 0.35 0.65
	check "spinner $who sharing CPU 0: runq near half its time (within 15 points)" \
		in_range "$runq" 0.35 0.65
done
runq_c=$(share "$work/spin.json" 2 "$c" runq)
cpu_c=$(share "$work/spin.json" 2 "$c" cpu)
note "spinner c alone on CPU 1: cpu $cpu_c runq $runq_c"
check "a spinner alone on its CPU waits for it under 10% of its time" in_range "$runq_c" 0 0.10
# /proc/PID/schedstat: ns on the CPU, ns waiting on a run queue, between the two snapshots.
schedstat_share() { # before after field
	python3 -c "import sys; b=list(map(int,'$1'.split())); a=list(map(int,'$2'.split()));
print('%.3f' % ((a[$3]-b[$3]) / 1e9 / ($t1 - $t0)))"
}
for who in a b c; do
	pid=${!who}
	b0=s${who}0 b1=s${who}1
	for k in 0 1; do
		cls=$([ "$k" = 0 ] && echo cpu || echo runq)
		ours=$(share "$work/spin.json" 2 "$pid" "$cls")
		theirs=$(schedstat_share "${!b0}" "${!b1}" "$k")
		note "spinner $who $cls: ktop $ours, schedstat $theirs"
		# within 10% of the figure; a figure near zero within 2 points of the wall time,
		# since ktop's interval and the test's two reads of schedstat are not the same window.
		# The lone spinner is preempted by threads whose switches the tracepoint does not
		# always report (this VM's init): unrepaired, its runq was 2.5 to 7 points too high.
		check "spinner $who: $cls agrees with /proc/PID/schedstat within 10%" python3 -c "
import sys; a, b = $ours, $theirs; sys.exit(0 if abs(a - b) <= max(0.10 * max(a, b), 0.02) else 1)"
	done
done
kill_pids

# --- Blocked threads: each class, begun before ktop and after its start. --------------------
loop_new 64M || not_ok "make a loop device"
start early "$work/waiter" mutex 30
early=$(pid_of early)
"$KTOP" -b -P overview -d 3 -n 2 -f json >"$work/wait.json" 2>"$work/err" &
ktop=$!
wait_for 20 grep -q tracing "$work/err"
start mutex "$work/waiter" mutex 20
start sleep "$work/waiter" sleep 20
start recv "$work/waiter" recv 20
start epoll "$work/waiter" epoll 20
start dio "$work/waiter" dio 20 "$loop"
for n in mutex sleep recv epoll dio; do eval "$n=\$(pid_of $n)"; done
wait "$ktop"
for line in 1 2; do
	v=$(share "$work/wait.json" "$line" "$early" lock)
	note "mutex wait begun before ktop, interval $line: lock $v"
	check "a mutex wait begun before ktop started is lock for the whole interval $line" \
		in_range "$v" 0.95 1.05
done
expect() { # NAME CLASS LOW: the process's CLASS share of the second interval is LOW or more
	local v
	v=$(share "$work/wait.json" 2 "${!1}" "$2")
	note "$1: $2 $v of its wall time"
	check "$1: $2 at least $3 of its wall time" in_range "$v" "$3" 100
}
expect mutex lock 0.80
expect sleep sleep 0.80
expect recv net 0.80
expect epoll poll 0.80
expect dio io 0.50
kill_pids

# --- Run-queue latency of the box: four spinners on two CPUs, then none. --------------------
"$KTOP" -b -P overview -d 2 -n 4 -f json >"$work/runq.json" 2>"$work/err" &
ktop=$!
wait_for 20 lines_at_least "$work/runq.json" 1
for i in 1 2 3 4; do start "spin$i" "$work/waiter" spin 2.5; done
wait_for 10 lines_at_least "$work/runq.json" 3
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
pids=()
wait "$ktop"
p99s=$(python3 -c '
import json, sys
print(" ".join("%.0f" % (json.loads(l)["system"]["runq_p99_us"] or 0) for l in open(sys.argv[1])))
' "$work/runq.json")
note "run-queue p99 per interval (us): $p99s"
read -r q1 q2 q3 q4 <<<"$p99s"
loaded=$((q2 > q3 ? q2 : q3))
check "run-queue p99 grows with four spinners on two CPUs" test "$loaded" -gt "$q1"
check "and falls back after they stop" test "$q4" -lt "$loaded"

# --- The raw_tp fallback classifies the same. ---------------------------------------------------
start rmutex "$work/waiter" mutex 10
rmutex=$(pid_of rmutex)
KTOP_FORCE_RAW_TP=1 "$KTOP" -b -P overview -d 2 -n 1 -f json >"$work/raw.json" 2>"$work/err"
check "raw_tp fallback: the header says raw_tp" grep -q '"mode": *"raw_tp"' "$work/raw.json"
v=$(share "$work/raw.json" 1 "$rmutex" lock)
check "raw_tp fallback: a mutex wait is lock ($v)" in_range "$v" 0.80 1.05

# -p keeps only the named process.
"$KTOP" -b -P overview -p "$rmutex" -d 1 -n 1 -f json >"$work/p.json" 2>"$work/err"
check "-p: only the named process" python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read())
assert [p["pid"] for p in s["processes"]] == [int(sys.argv[2])], s["processes"]
' "$work/p.json" "$rmutex"
kill_pids
check "no sched program is left after ktop exits" \
	wait_for 5 eval '! bpftool prog show 2>/dev/null | grep -qE "name sched_(sw|wakeup)"'
finish
