#!/usr/bin/env bash
# The Stacks panel's memory with DWARF unwinding on a python3 process whose debug symbols are
# installed (python3.11-dbg), reported (never asserted): tests/bpf/busy_threads.py (five
# threads blocking ~1500 times a second, one half busy) under `ktop -b -P stacks -p PID -d D
# -n N -f json`, ktop's VmHWM (peak RSS), VmRSS and RssAnon read from /proc every 0.2 s until
# it exits; then the same process under `perf record -F 99 --call-graph dwarf,16384 -p PID`
# for as long, perf's peak RSS the same way, for comparison. Also prints how many stacks and
# inlined frames ktop's last snapshot has, and whether python3's debug file was found.
# Needs root, python3, perf (optional). Usage: bench/stacks_memory.sh  (KTOP, D, N)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
D=${D:-2}
N=${N:-10}

[ "$(id -u)" = 0 ] || { echo "stacks_memory.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "stacks_memory.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
work=$(mktemp -d /tmp/ktop-bench.XXXXXX)
py=""
trap '[ -n "$py" ] && kill "$py" 2>/dev/null; rm -rf "$work"' EXIT

# peak_mem PID OUT: until PID exits, keep its last "VmHWM VmRSS RssAnon" (MB) in OUT.
peak_mem() {
	local line
	while line=$(awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
		END { if (h) printf "%.1f %.1f %.1f", h / 1024, r / 1024, a / 1024 }' \
		"/proc/$1/status" 2>/dev/null) && [ -n "$line" ]; do
		echo "$line" >"$2"
		sleep 0.2
	done
}

secs=$(python3 -c "print($D * $N)")
# The distribution's python3, whose debug symbols python3.11-dbg installs.
pybin=/usr/bin/python3
[ -x "$pybin" ] || pybin=$(command -v python3)
"$pybin" "$top/tests/bpf/busy_threads.py" $((secs * 2 + 30)) >"$work/py.out" &
py=$!
for _ in $(seq 50); do grep -q ready "$work/py.out" && break; sleep 0.1; done
bin=$(readlink -f "$pybin")
id=$(readelf -n "$bin" 2>/dev/null | awk '/Build ID/ { print $3 }')
dbg="/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
[ -f "$dbg" ] && echo "python3: $bin, debug symbols $dbg" ||
	echo "python3: $bin, no debug symbols (install python3.11-dbg)"

"$KTOP" -b -P stacks -p "$py" -d "$D" -n "$N" -f json >"$work/ktop.json" 2>"$work/err" &
k=$!
peak_mem "$k" "$work/ktop.mem"
wait "$k"
python3 - "$work/ktop.json" "$(cat "$work/ktop.mem" 2>/dev/null)" "$D" "$N" <<'PY'
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mem = sys.argv[2].split() or ["?"] * 3
d = snaps[-1] if snaps else {"oncpu": [], "offcpu": []}
stacks = d["oncpu"] + d["offcpu"]
inl = sum(1 for s in stacks for f in s["frames"] if f["name"].endswith(" [inlined]"))
print("ktop -P stacks -d %s -n %s: peak RSS %s MB (RSS at end %s, anon %s); %d snapshots, "
      "last: %d stacks, %d inlined frames" % (sys.argv[3], sys.argv[4], mem[0], mem[1], mem[2],
                                             len(snaps), len(stacks), inl))
PY
if command -v perf >/dev/null; then
	perf record -q -F 99 --call-graph dwarf,16384 -p "$py" -o "$work/perf.data" -- \
		sleep "$secs" >/dev/null 2>"$work/perf.err" &
	p=$!
	sleep 0.5
	perfpid=$(pgrep -P "$p" -x perf || echo "$p")
	peak_mem "$p" "$work/perf.mem"
	wait "$p"
	echo "perf record --call-graph dwarf,16384 for ${secs}s: peak RSS $(cut -d' ' -f1 \
		"$work/perf.mem" 2>/dev/null) MB (pid $perfpid)"
fi
