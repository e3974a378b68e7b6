#!/usr/bin/env bash
# Traced processes that go away or change under ktop (Off-CPU, DWARF unwinding of programs
# built without frame pointers, tests/bpf/sleeper.c; the whole box with --unwind dwarf):
# - short-lived processes (1.2 s each, a new one every 0.1 s for 6 s, so each lives across a
#   refresh of 1 s) exit while their copied stacks wait to be unwound: ktop goes on, every frame
#   of theirs is a name or a bracketed label ("[unknown: ...]"), never an address or an empty
#   frame (how many kept their whole named chain is a note: a process whose maps ktop had not
#   read before it exited is labelled "[unknown: exited before its maps were read]");
# - an upgrade: the binary a followed process runs is deleted and replaced by another build
#   (its functions renamed upgraded_*): the old process's frames keep their names (chain_*,
#   never upgraded_*), and a process started from the new file shows the new names.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

nofp="-O2 -g -fomit-frame-pointer -fno-optimize-sibling-calls"
mkdir -p "$work/bin"
# shellcheck disable=SC2086
gcc $nofp -o "$work/bin/app" "$KTOP_TOP/tests/bpf/sleeper.c" &&
	gcc $nofp -Dchain_a=upgraded_a -Dchain_b=upgraded_b -Dchain_c=upgraded_c \
		-o "$work/app.v2" "$KTOP_TOP/tests/bpf/sleeper.c" &&
	cp "$work/bin/app" "$work/bin/churn" || { not_ok "build the test programs"; finish; }

# frames_clean FILE COMM: every frame of COMM's folded lines is a name or a [label].
frames_clean() {
	python3 - "$1" "$2" <<'PY'
import re, sys
path, comm = sys.argv[1], sys.argv[2]
bad, lines = [], 0
for l in open(path, encoding="utf-8"):
    stack, _, value = l.rstrip("\n").rpartition(" ")
    frames = stack.split(";")
    if frames[0] != comm:
        continue
    lines += 1
    for f in frames[1:]:
        if not f or re.match(r"(0x)?[0-9a-fA-F]+$", f) or not re.match(r"(\[.+\]|[A-Za-z_.$<][^;]*)$", f):
            bad.append(f)
print(f"# {comm}: {lines} stacks, {len(bad)} bad frames {bad[:5]}")
sys.exit(0 if lines and not bad else 1)
PY
}

# --- processes exiting while their stacks are unwound
"$KTOP" -b -P offcpu -d 1 -n 8 -f folded --unwind dwarf >"$work/churn.folded" 2>"$work/churn.err" &
ktop=$!
pids+=("$ktop")
wait_for 45 grep -q "tracing with" "$work/churn.err" ||
	{ not_ok "ktop starts ($(head -2 "$work/churn.err"))"; finish; }
end=$((SECONDS + 6))
while [ "$SECONDS" -lt "$end" ]; do
	"$work/bin/churn" chain 1.2 >/dev/null &
	sleep 0.1
done
wait "$ktop"
rc=$?
check "processes exiting while unwound: ktop ends normally (exit $rc)" test "$rc" = 0
check "every frame of the exited processes is a name or a label, never garbage" \
	frames_clean "$work/churn.folded" churn
# how many kept their names is reported, not asserted: a process whose maps were not read
# before it exited (ktop reads them when it names its stacks) is labelled, as checked above
note "churn stacks with their whole named chain: $(grep -c '^churn;.*chain_a;chain_b;chain_c' \
	"$work/churn.folded"); labelled as exited before their maps were read: $(grep -c \
	'^churn;.*exited before its maps were read' "$work/churn.folded")"

# --- an upgrade under a followed process
"$work/bin/app" chain 120 >"$work/app.out" &
old=$!
pids+=("$old")
wait_for 10 grep -q ready "$work/app.out" || { not_ok "start the program"; finish; }
"$KTOP" -b -P offcpu -p "$old" -d 1 -f folded >"$work/old.folded" 2>"$work/old.err" &
ktop=$!
pids+=("$ktop")
check "the followed process shows its chain before the upgrade" \
	wait_for 45 grep -q 'chain_a;chain_b;chain_c' "$work/old.folded"
# what a package manager does: the new file written beside, renamed over the old one
cp "$work/app.v2" "$work/bin/app.new" && mv "$work/bin/app.new" "$work/bin/app"
check "the old binary is now deleted under the running process" \
	grep -q "$work/bin/app (deleted)" "/proc/$old/maps"
"$work/bin/app" chain 60 >"$work/new.out" &
new=$!
pids+=("$new")
wait_for 10 grep -q ready "$work/new.out" || { not_ok "start the upgraded program"; finish; }
mark=$(wc -l <"$work/old.folded")
"$KTOP" -b -P offcpu -p "$new" -d 2 -n 1 -f folded >"$work/new.folded" 2>"$work/new.err"
check "a process of the new file shows the new names" \
	grep -q 'upgraded_a;upgraded_b;upgraded_c' "$work/new.folded"
check "... and none of the old" eval '! grep -q chain_ "$work/new.folded"'
wait_for 30 eval '[ "$(wc -l <"$work/old.folded")" -gt $((mark + 2)) ]'
tail -n +"$((mark + 1))" "$work/old.folded" >"$work/old.after"
check "after the upgrade ktop goes on following the old process" kill -0 "$ktop"
check "its frames keep the old names (chain_a;chain_b;chain_c)" \
	grep -q 'chain_a;chain_b;chain_c' "$work/old.after"
check "never the new file's (upgraded_*)" eval '! grep -q upgraded_ "$work/old.folded"'
check "and none of its frames is garbage" frames_clean "$work/old.folded" app
kill -INT "$ktop"
wait "$ktop"
rc=$?
check "ktop ends normally (exit $rc)" test "$rc" = 0
finish
