#!/usr/bin/env bash
# End to end: the Off-CPU panel in tmux on a real workload (tests/bpf/sleeper.c, a known
# chain of sleeping functions): expand, the hottest path, collapse, search, zoom and back,
# invert, the flame view, and the folded, pprof and text exports. Then a drop counter at 80 columns:
# in the header, on the help screen, and in full in a text export.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

gcc -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -o "$work/sleeper" \
	"$KTOP_TOP/tests/bpf/sleeper.c" || { not_ok "build sleeper"; finish; }
"$work/sleeper" chain 120 >"$work/sleeper.out" &
sleeper=$!
trap 'kill $sleeper 2>/dev/null; cleanup_test' EXIT

screen() { tm capture-pane -p -t off; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
# The first row of the tree (under the column titles).
first_row() { screen | sed -n '6p'; }
key() { tm send-keys -t off "$@"; }

tm -f /dev/null new-session -d -s off -x 110 -y 32 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work \
	 $KTOP -P offcpu -p $sleeper -d 0.5" || { not_ok "tmux"; finish; }

check "-P offcpu: the Off-CPU panel is the first screen, filtered to the sleeper" \
	wait_for 15 has "sleeper ($sleeper)"
check "the header names the PID filter" has "pid: $sleeper"
check "with a PID filter the header says user stacks are unwound with DWARF" \
	has "unwinding: dwarf, 16 KiB (auto)"
check "the tree starts collapsed below the process" lacks "chain_a"
key Down Right
# DWARF unwinding reaches the program's entry point, which a frame-pointer walk never does.
check "Enter expands the process down to the entry point" \
	wait_for 5 eval 'screen | grep -qE "[^_[:alnum:]]_start( |$)"'
check "the expanded level is the entry point alone" lacks "__libc_start_call_main"
key e
check "e expands the hottest path down to the kernel" \
	wait_for 5 eval 'has chain_c && has "do_nanosleep_[k]" && has "__schedule_[k]"'
key Home Down Left
check "Left collapses" wait_for 5 lacks "chain_a"
key /
tm send-keys -t off -l "chain_b"
key Enter
check "/ finds a frame and reveals it" wait_for 5 eval 'has chain_b && has chain_a'
check "the found frame is highlighted as selected" \
	eval 'tm capture-pane -p -e -t off | grep -F chain_b | grep -q $'"'"'\e\['"'"
# The sleeper has debug information: the detail line says where chain_b called chain_c.
call=$(grep -n 'chain_c();' "$KTOP_TOP/tests/bpf/sleeper.c" | head -1 | cut -d: -f1)
check "the detail line under the tree names the selected frame and its source line" \
	eval 'screen | tail -2 | grep -qE "^ chain_b .* at sleeper\.c:$call"'
key z
check "z zooms into the selected subtree" \
	wait_for 5 eval 'first_row | grep -q "chain_b" && lacks "sleeper ($sleeper)"'
key BSpace
check "Backspace zooms out" wait_for 5 eval 'first_row | grep -q " all "'
key i
check "i inverts the tree: innermost frames first" \
	wait_for 5 eval 'has "innermost first" && screen | sed -n "7p" | grep -q "schedule_\[k\]"'
key i
key f
check "f opens the flame view, root at the bottom" \
	wait_for 5 eval 'screen | grep -q "│all" && has "view flame"'
check "the flame view shows the process box" has "│sleeper ($sleeper)"
key f
check "the footer offers P for a pprof profile" eval 'screen | tail -1 | grep -qF "P pprof"'
key F
check "F saves folded stacks and says where" wait_for 5 has "saved $work/ktop-"
folded=$(ls "$work"/ktop-*.folded 2>/dev/null | head -1)
check "the folded file has the sleeper's chain with a value" \
	grep -qE '^sleeper;.*main;chain_a;chain_b;chain_c;.*schedule_\[k\] [0-9]+$' "$folded"
check "the folded file is mode 0600" test "$(stat -c %a "$folded" 2>/dev/null)" = 600
key P
check "P saves a pprof profile and says where" wait_for 5 has ".pb.gz"
prof=$(ls "$work"/ktop-*.pb.gz 2>/dev/null | head -1)
check "the pprof file is gzip'd and mode 0600" \
	eval 'gzip -t "$prof" && test "$(stat -c %a "$prof" 2>/dev/null)" = 600'
if command -v go >/dev/null; then
	HOME=$work GOCACHE=$work/gocache go tool pprof -top "$prof" >"$work/ui.top" 2>&1
	check "go tool pprof reads it: the sleeper's chain_c" grep -qE ' chain_c$' "$work/ui.top"
else
	not_ok "go tool pprof: no go (Debian's golang-go)"
fi
key s
check "s saves the tree as text" wait_for 5 eval 'ls "$work"/ktop-*.txt >/dev/null 2>&1'
text=$(ls "$work"/ktop-*.txt 2>/dev/null | head -1)
check "the text export is the tree fully expanded" \
	eval 'grep -q "chain_c" "$text" && grep -q "__schedule_\[k\]" "$text" && grep -q "Total" "$text"'
check "and says where each frame was in the source, inlined calls too" \
	eval 'grep -qE "chain_b  sleeper\.c:$call" "$text" && grep -qE "rest \[inlined\]  sleeper\.c:[0-9]+" "$text"'
key u
# asked by name: no "(auto)" after the size (the field ends the header's second row)
check "u asks for DWARF by name" wait_for 5 eval 'screen | grep -qE "unwinding: dwarf, 16 KiB *$"'
key u
check "u again: frame pointers" wait_for 5 eval 'screen | grep -qE "unwinding: frame pointers *$"'
key Home Down Right
check "and the stacks start again, walked with frame pointers (no _start)" \
	wait_for 10 eval 'has __libc_start_call_main && ! screen | grep -qE "[^_[:alnum:]]_start( |$)"'
key u
check "u again: back to auto" wait_for 5 has "unwinding: dwarf, 16 KiB (auto)"
key q
check "q quits" wait_for 10 eval '! tm has-session -t off 2>/dev/null'

# --max-stacks 64 under 150 sleeping processes: older stacks are merged, a drop counter. (They
# live through the run: the stacks of processes that exit fold into one per name and stack.)
tm -f /dev/null new-session -d -s off -x 80 -y 24 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work/d \
	 $KTOP -P offcpu -d 0.5 --max-stacks 64" || { not_ok "tmux"; finish; }
mkdir -p "$work/d"
wait_for 15 has "since reset"
for _ in $(seq 150); do
	"$work/sleeper" chain 30 >/dev/null &
	pids+=($!)
done
wait_for 10 eval 'screen | grep -qE "older stacks merged [0-9]+|drops \(h\)"'
check "80 columns: the merged stacks are in the header, or counted there" \
	eval 'screen | sed -n 2p | grep -qE "older stacks merged [0-9]+|\+[0-9]+ drops \(h\)"'
key h
check "the help screen lists every drop counter in full" \
	wait_for 5 eval 'screen | grep -qE "^ drop: older stacks merged [0-9]+"'
key Escape s
check "a text export's header has the counter" \
	wait_for 5 eval 'grep -qE "older stacks merged [0-9]+" "$work"/d/ktop-*.txt'
key q
check "q quits" wait_for 10 eval '! tm has-session -t off 2>/dev/null'
finish
