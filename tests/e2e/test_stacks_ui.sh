#!/usr/bin/env bash
# End to end: the Stacks panel in tmux: opened from the Off-CPU panel with Enter on a process,
# its threads listed, a thread chosen, the view switched between both, on-CPU and off-CPU,
# and the folded and pprof exports.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

start_burner 120 || finish

screen() { tm capture-pane -p -t st; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
key() { tm send-keys -t st "$@"; }

tm -f /dev/null new-session -d -s st -x 120 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work \
	 $KTOP -P offcpu -d 0.5" || { not_ok "tmux"; finish; }
check "the Off-CPU panel shows the burner" wait_for 15 has "burner ($burner)"
key /
tm send-keys -t st -l "burner ($burner)"
key Enter
wait_for 5 has "burner ($burner)"
key Enter
check "Enter on the process opens its stacks" \
	wait_for 10 eval 'has "pid $burner burner" && has "5 Stacks"'
check "the header shows the PID filter" has "pid: $burner"
check "its threads are listed" wait_for 10 eval 'has sleepy && screen | grep -qE "^ $burner +burner"'
# Both parts took 0.1 to 8 s to show under ASan, with the build of 5cdac52 as with later ones.
check "the tree opens on its threads' on-CPU and off-CPU parts" \
	wait_for 30 eval 'has "[on-CPU]" && has "[off-CPU]"'
key /
tm send-keys -t st -l "burn_c"
key Enter
check "the burning chain is on CPU: burn_a, burn_b, burn_c" \
	wait_for 5 eval 'has burn_a && has burn_b && has burn_c'
key v
check "v: on-CPU only" wait_for 5 eval 'has "view on-CPU" && lacks "[off-CPU]"'
key v
check "v: off-CPU only" wait_for 5 eval 'has "view off-CPU" && lacks "[on-CPU]"'
key v
key '>'
check "> chooses the first thread" wait_for 5 has "thread $burner"
key '>'
check "> again the next thread (sleepy)" wait_for 5 eval 'has "thread " && lacks "thread $burner "'
key F
check "F saves the folded stacks of the view" wait_for 5 has "saved $work/ktop-"
folded=$(ls "$work"/ktop-*.folded 2>/dev/null | head -1)
check "the folded file has the sleepy thread's waits" \
	grep -qE '^sleepy;\[(on|off)-CPU\];.* [0-9]+$' "$folded"
key '<'
check "< back to the first thread" wait_for 5 has "thread $burner "
key P
check "P saves a pprof profile and says where" wait_for 5 has ".pb.gz"
prof=$(ls "$work"/ktop-*.pb.gz 2>/dev/null | head -1)
if command -v go >/dev/null; then
	HOME=$work GOCACHE=$work/gocache go tool pprof -top "$prof" >"$work/ui.top" 2>&1
	HOME=$work GOCACHE=$work/gocache go tool pprof -tags "$prof" >"$work/ui.tags" 2>&1
	note "$(head -8 "$work/ui.top")"
	check "go tool pprof reads the chosen thread's on-CPU samples: burn_c" \
		eval 'grep -q "^Type: cpu" "$work/ui.top" && grep -qE " burn_c$" "$work/ui.top"'
	check "and only that thread's" \
		eval 'grep -qE ": $burner\$" "$work/ui.tags" && ! grep -q sleepy "$work/ui.tags"'
else
	not_ok "go tool pprof: no go (Debian's golang-go)"
fi
key q
check "q quits" wait_for 10 eval '! tm has-session -t st 2>/dev/null'
finish
