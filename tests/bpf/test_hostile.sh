#!/usr/bin/env bash
# A hostile program (tests/bpf/hostile.c): its name and one of its function's symbol name are
# escape sequences (clear the screen, set the window title, BEL) and an invalid UTF-8 byte.
# They reach the Overview, Off-CPU and Stacks panels in every batch format and on the screen
# in tmux: never as raw bytes, always escaped (\x1b), and JSON keeps the true bytes as JSON
# escapes. The window title is unchanged.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

hostile=""
trap '[ -n "$hostile" ] && kill "$hostile" 2>/dev/null; cleanup_test' EXIT

# The symbol: quoted names in the assembler take any byte but NUL and '"'.
name=$(printf 'evil\033]0;pwned\007\033[2J\377wait')
cat >"$work/sym.s" <<ASM
	.text
	.globl	"$name"
	.type	"$name", @function
"$name":
	push	%rbp
	mov	%rsp, %rbp
	call	hostile_sleep
	pop	%rbp
	ret
	.size	"$name", .-"$name"
	.globl	hostile_enter
	.type	hostile_enter, @function
hostile_enter:
	jmp	"$name"
	.size	hostile_enter, .-hostile_enter
	.section .note.GNU-stack,"",@progbits
ASM
gcc -O1 -g -fno-omit-frame-pointer -o "$work/hostile" "$KTOP_TOP/tests/bpf/hostile.c" \
	"$work/sym.s" || { not_ok "build the hostile program"; finish; }
"$work/hostile" 60 >"$work/hostile.out" &
hostile=$!
wait_for 10 grep -q ready "$work/hostile.out" || { not_ok "the hostile program starts"; finish; }

# raw FILE: whether FILE holds an ESC, BEL or 0xff byte.
raw() { LC_ALL=C grep -q $'[\e\a\xff]' "$1"; }
for panel in offcpu stacks overview; do
	for fmt in text json folded; do
		[ "$panel" = overview ] && [ "$fmt" = folded ] && continue
		out="$work/$panel.$fmt"
		if ! "$KTOP" -b -P "$panel" -p "$hostile" -d 1.5 -n 1 -f "$fmt" >"$out" 2>"$work/err"; then
			not_ok "$panel -f $fmt runs ($(head -c 200 "$work/err"))"
			continue
		fi
		check "$panel -f $fmt: no raw escape, BEL or invalid byte" eval '! raw "$out"'
		case "$fmt" in
		json)
			check "$panel -f json: valid, and the name's true bytes as JSON escapes" \
				python3 - "$out" "$panel" <<'PY'
import json, sys
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
snap = json.loads(open(sys.argv[1], encoding="utf-8").read().splitlines()[0])
assert any("\x1b[2J" in t for t in strings(snap)), "the name's bytes are not in the JSON"
PY
			;;
		*)
			check "$panel -f $fmt: the name shows escaped" grep -qF '\x1b[2J' "$out"
			;;
		esac
	done
done
check "offcpu -f folded: the hostile function is named, escaped" \
	grep -qF 'evil\x1b]0' "$work/offcpu.folded"
check "stacks -f folded: the hostile function is named, escaped" \
	grep -qF 'evil\x1b]0' "$work/stacks.folded"

# On the screen: the Off-CPU tree expanded to the hostile frame.
tm -f /dev/null new-session -d -s h -x 150 -y 30 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 \
	 $KTOP -P offcpu -p $hostile -d 0.5" || { not_ok "tmux"; finish; }
title0=$(tm display-message -p -t h '#{pane_title}')
check "the Off-CPU panel shows the process by its escaped name" \
	wait_for 15 eval 'tm capture-pane -p -t h | grep -qF "\x1b[2J"'
tm send-keys -t h /
tm send-keys -t h -l "evil"
tm send-keys -t h Enter
check "search finds the hostile frame, shown escaped" \
	wait_for 10 eval 'tm capture-pane -p -t h | grep -qF "evil\x1b]0"'
check "the screen holds no raw escape from the program" \
	eval '! tm capture-pane -p -t h | LC_ALL=C grep -q $'"'"'[\a\xff]'"'"''
check "the window title is unchanged" test "$(tm display-message -p -t h '#{pane_title}')" = "$title0"
tm send-keys -t h q
check "no BPF program is left after ktop exits" wait_for 10 eval '! ktop_progs_loaded'
finish
