#!/usr/bin/env bash
# The Stacks panel's memory with DWARF unwinding on a python3 process whose debug symbols are
# installed (python3.11-dbg), reported (never asserted): tests/bpf/busy_threads.py (five
# threads blocking ~1500 times a second, one half busy) under `ktop -b -P stacks -p PID -d D
# -n N -f json`, ktop's VmHWM (peak RSS), VmRSS and RssAnon read from /proc every 0.2 s until
# it exits; then the same process under `perf record -F 99 --call-graph dwarf,16384 -p PID`
# for as long, perf's peak RSS the same way, for comparison. Also prints how many stacks and
# inlined frames ktop's last snapshot has, and whether python3's debug file was found.
# With KTOP_REF (another build, e.g. main's), each of ROUNDS rounds runs both on the same
# process (their order alternating), then perf, and the ratios are printed per round; and
# once, both run at the same time for D*N seconds, and the stacks they named are compared:
# off-CPU stacks with their source lines, every stack by names only (the share of each one's
# distinct stacks the other also has).
# Needs root, python3, perf (optional). Usage: bench/stacks_memory.sh  (KTOP, KTOP_REF, D, N,
# ROUNDS)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
KTOP_REF=${KTOP_REF:-}
D=${D:-2}
N=${N:-10}
ROUNDS=${ROUNDS:-1}

[ "$(id -u)" = 0 ] || { echo "stacks_memory.sh: needs root" >&2; exit 2; }
[ -x "$KTOP" ] || { echo "stacks_memory.sh: no ktop at $KTOP (set KTOP)" >&2; exit 2; }
[ -z "$KTOP_REF" ] || [ -x "$KTOP_REF" ] ||
	{ echo "stacks_memory.sh: no ktop at KTOP_REF=$KTOP_REF" >&2; exit 2; }
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
runs=$((ROUNDS * (${KTOP_REF:+2}+1) + 2))
# The distribution's python3, whose debug symbols python3.11-dbg installs.
pybin=/usr/bin/python3
[ -x "$pybin" ] || pybin=$(command -v python3)
"$pybin" "$top/tests/bpf/busy_threads.py" $((secs * (runs + 1) * 2 + 60)) >"$work/py.out" &
py=$!
for _ in $(seq 50); do grep -q ready "$work/py.out" && break; sleep 0.1; done
grep -q ready "$work/py.out" ||
	{ echo "stacks_memory.sh: busy_threads.py did not start" >&2; exit 1; }
bin=$(readlink -f "$pybin")
id=$(readelf -n "$bin" 2>/dev/null | awk '/Build ID/ { print $3 }')
dbg="/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
[ -f "$dbg" ] && echo "python3: $bin, debug symbols $dbg" ||
	echo "python3: $bin, no debug symbols (install python3.11-dbg)"
echo "load: $(uptime | sed 's/.*load average/load average/')"

# ktop_mem BIN NAME: run BIN's Stacks panel on the process, print its peak RSS line and keep
# the peak (MB) in $work/NAME.peak.
ktop_mem() {
	local k
	"$1" -b -P stacks -p "$py" -d "$D" -n "$N" -f json >"$work/$2.json" 2>"$work/$2.err" &
	k=$!
	peak_mem "$k" "$work/$2.mem"
	wait "$k"
	python3 - "$work/$2.json" "$(cat "$work/$2.mem" 2>/dev/null)" "$D" "$N" "$2" \
		"$work/$2.peak" <<'PY'
import json, sys
snaps = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mem = sys.argv[2].split() or ["?"] * 3
d = snaps[-1] if snaps else {"oncpu": [], "offcpu": [], "drops": {}}
stacks = d["oncpu"] + d["offcpu"]
inl = sum(1 for s in stacks for f in s["frames"] if f["name"].endswith(" [inlined]"))
lost = sum(s.get("drops", {}).get("stack_copies_lost", 0) for s in snaps)
print("%s -P stacks -d %s -n %s: peak RSS %s MB (RSS at end %s, anon %s); %d snapshots, "
      "last: %d stacks, %d inlined frames; copies lost %d" % (sys.argv[5], sys.argv[3],
      sys.argv[4], mem[0], mem[1], mem[2], len(snaps), len(stacks), inl, lost))
open(sys.argv[6], "w").write(mem[0])
PY
}

# perf_mem: perf record on the process for as long; its peak RSS (MB) in $work/perf.peak.
perf_mem() {
	local p
	command -v perf >/dev/null || { echo "?" >"$work/perf.peak"; return; }
	perf record -q -F 99 --call-graph dwarf,16384 -p "$py" -o "$work/perf.data" -- \
		sleep "$secs" >/dev/null 2>"$work/perf.err" &
	p=$!
	peak_mem "$p" "$work/perf.mem"
	wait "$p"
	cut -d' ' -f1 "$work/perf.mem" 2>/dev/null >"$work/perf.peak"
	echo "perf record --call-graph dwarf,16384 for ${secs}s: peak RSS $(cat "$work/perf.peak") MB"
	rm -f "$work/perf.data"
}

for r in $(seq "$ROUNDS"); do
	echo "round $r ($(uptime | sed 's/.*load average/load average/'))"
	if [ -n "$KTOP_REF" ] && [ $((r % 2)) = 0 ]; then
		ktop_mem "$KTOP_REF" ktop-ref
		ktop_mem "$KTOP" ktop
	else
		ktop_mem "$KTOP" ktop
		[ -n "$KTOP_REF" ] && ktop_mem "$KTOP_REF" ktop-ref
	fi
	perf_mem
	python3 - "$work" "$r" <<'PY'
import os, sys
w, r = sys.argv[1], sys.argv[2]
def peak(n):
    try:
        return float(open(os.path.join(w, n + ".peak")).read())
    except (OSError, ValueError):
        return None
k, ref, perf = peak("ktop"), peak("ktop-ref"), peak("perf")
parts = []
if k and ref:
    parts.append("ktop/ktop-ref %.2f" % (k / ref))
if k and perf:
    parts.append("ktop/perf %.2f" % (k / perf))
if parts:
    print("round %s ratios: %s" % (r, ", ".join(parts)))
PY
	rm -f "$work"/*.peak
done

[ -n "$KTOP_REF" ] || exit 0
# The same process, both builds at once: do they name the same stacks, with the same lines?
"$KTOP" -b -P stacks -p "$py" -d "$secs" -n 1 -f json >"$work/new.json" 2>/dev/null &
a=$!
"$KTOP_REF" -b -P stacks -p "$py" -d "$secs" -n 1 -f json >"$work/ref.json" 2>/dev/null &
b=$!
wait "$a" "$b"
kill -0 "$py" 2>/dev/null || echo "stacks_memory.sh: busy_threads.py ended before the comparison" >&2
python3 - "$work/new.json" "$work/ref.json" <<'PY'
import json, sys
# On-CPU samples land on different instructions in each run: their lines differ by chance.
# Off-CPU stacks block at the same call sites: they are compared with their lines too.
def load(p, kinds, lines):
    st = set()
    for l in open(p):
        d = json.loads(l)
        for kind in kinds:
            for s in d[kind]:
                st.add((kind,) + tuple(f["name"] + ("@" + f.get("src", "") if lines else "")
                                       for f in s["frames"]))
    return st
def share(a, b):
    return "%.1f%%" % (100.0 * len(a & b) / len(a)) if a else "-"
for what, kinds, lines in (("off-CPU stacks with their lines", ("offcpu",), True),
                           ("every stack, names only", ("oncpu", "offcpu"), False)):
    new, ref = load(sys.argv[1], kinds, lines), load(sys.argv[2], kinds, lines)
    print("at the same time, %s: ktop %d, ktop-ref %d; %s of ktop's also in ktop-ref's, %s "
          "the other way" % (what, len(new), len(ref), share(new, ref), share(ref, new)))
    fn = {f for k in new for f in k[1:]}
    fr = {f for k in ref for f in k[1:]}
    for name, only in (("ktop", fn - fr), ("ktop-ref", fr - fn)):
        if only:
            print("  frames only %s has (first 4): %s" % (name, "; ".join(sorted(only)[:4])))
PY
