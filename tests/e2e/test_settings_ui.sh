#!/usr/bin/env bash
# End to end: the settings file and the setup screen, and the mouse, in tmux with a temp
# XDG_CONFIG_HOME. Covers a change on the setup screen saved (mode 0600) and holding at the next
# start, a bad line warned about with its line number while the rest applies, --no-config,
# a read-only config directory (one line, ktop goes on), and SGR mouse reports switching tabs,
# expanding a tree node, sorting by a clicked column title (again: reversed) or by F6 and I,
# the sort saved; the Stacks thread table sorted by F6 and a click.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

cfg="$work/cfg"
rc="$cfg/ktop/ktoprc"
ro="$work/ro"
sleeper=""
cleanup_settings() {
	[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
	mountpoint -q "$ro" 2>/dev/null && umount "$ro"
	# a ktop still running saves its settings when tmux hangs up: let it, then remove
	tmux -L "$sock" kill-server 2>/dev/null && sleep 1
	cleanup_test
}
trap cleanup_settings EXIT

screen() { tm capture-pane -p -t ktop; }
screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen | grep -qF -- "$1"; }
# start_ktop XDG_DIR [OPTIONS...]: ktop on the Overview panel with that config home.
start_ktop() {
	local xdg=$1
	shift
	tm send-keys -t ktop "clear; XDG_CONFIG_HOME=$xdg $KTOP $*; echo KTOP_EXIT=\$?" Enter
	wait_for 20 screen_has "1 Overview"
}
quit_ktop() {
	tm send-keys -t ktop q
	wait_for 15 screen_has "KTOP_EXIT=0"
}
# click ROW COL: a left press and release at 1-based ROW, COL, as xterm's SGR mode reports it.
# A missing position (text not found) is said, not a shell error.
click() {
	if [ $# != 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
		note "click: no position (the text was not on screen): $(screen | tail -n 1)"
		return 1
	fi
	tm send-keys -t ktop -l $'\e[<0;'"$2;$1"'M'$'\e[<0;'"$2;$1"'m'
}
# The 1-based line and column of the first occurrence of TEXT on screen ("LINE COL").
find_text() {
	screen | awk -v t="$1" '{ i = index($0, t); if (i) { print NR, i; exit } }'
}

tm -f /dev/null new-session -d -s ktop -x 120 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile" ||
	{ not_ok "tmux"; finish; }

# --- nothing changed: nothing written
check "ktop starts in a config home with no file" start_ktop "$work/untouched"
check "q quits" quit_ktop
check "an untouched ktop writes no settings file on quit" test ! -e "$work/untouched/ktop"

# --- the setup screen changes the refresh interval; it is saved and holds
check "ktop starts with no settings file" start_ktop "$cfg"
check "the header shows the default interval" wait_for 10 screen_has "every 1.0s"
tm send-keys -t ktop F2
check "F2 opens the setup screen" wait_for 5 screen_has "Refresh interval (s)"
tm send-keys -t ktop Down Right
check "Right changes the refresh interval to 2" \
	wait_for 5 eval 'screen | grep -qE "Refresh interval \(s\) +2$"'
check "the change applies live" wait_for 5 screen_has "every 2.0s"
colours_before=$(tm capture-pane -p -e -t ktop | grep -c $'\e\\[[34][0-9]')
tm send-keys -t ktop Down Right Right
check "the theme steps to mono" wait_for 5 eval 'screen | grep -qE "^ +Theme +mono$"'
check "and the screen is repainted without colours" \
	wait_for 5 eval '[ "$(tm capture-pane -p -e -t ktop | grep -c $'"'"'\e\[3[0-7]m'"'"')" = 0 ]'
note "lines with colour escapes before: $colours_before"
tm send-keys -t ktop Escape
check "Esc leaves the setup screen and says where it saved" \
	wait_for 5 screen_has "settings saved in $rc"
check "the file holds delay=2" grep -qx "delay=2" "$rc"
check "and theme=mono" grep -qx "theme=mono" "$rc"
check "the file is mode 0600" test "$(stat -c %a "$rc" 2>/dev/null)" = 600
check "no temp file is left beside it" test "$(ls -A "$cfg/ktop" | wc -l)" = 1
check "q quits with status 0" quit_ktop
check "ktop starts again" start_ktop "$cfg"
check "the saved interval holds at the next start" wait_for 10 screen_has "every 2.0s"
check "q quits" quit_ktop

check "the command line overrides the file" start_ktop "$cfg" -d 3
check "-d 3 wins over delay=2" wait_for 10 screen_has "every 3.0s"
check "q quits" quit_ktop
check "the override is not saved" grep -qx "delay=2" "$rc"

# --- a bad line warns with its number, the rest applies
printf '# comment\ncolour=blue\ndelay=5\n' >"$rc"
check "ktop starts with a bad line in the file" start_ktop "$cfg"
check "the bad line is named with its line number" \
	wait_for 10 screen_has "ktoprc:2: unknown key 'colour'"
check "the good line after it applies" wait_for 10 screen_has "every 5.0s"
check "q quits" quit_ktop
check "the warning is also on stderr after quit" screen_has "ktop: warning: $rc:2:"

# --- --no-config ignores the file
check "ktop starts with --no-config" start_ktop "$cfg" --no-config
check "--no-config: the default interval" wait_for 10 screen_has "every 1.0s"
tm send-keys -t ktop S
check "S opens the setup screen" wait_for 5 screen_has "not saved (--no-config"
tm send-keys -t ktop Escape
check "q quits" quit_ktop
check "--no-config leaves the file as it was" grep -qx "delay=5" "$rc"

# --- a config directory ktop cannot write: one line, nothing else lost
mkdir -p "$ro" && mount -t tmpfs -o ro,size=1m tmpfs "$ro" || not_ok "read-only tmpfs"
check "ktop starts with a read-only config home" start_ktop "$ro"
tm send-keys -t ktop F2
wait_for 5 screen_has "Refresh interval (s)"
tm send-keys -t ktop Down Right Escape
check "leaving the setup screen says the settings were not saved, and why" \
	wait_for 5 screen_has "settings not saved: $ro/ktop: Read-only file system"
check "the change still applies" wait_for 5 screen_has "every 2.0s"
check "q quits with status 0" quit_ktop
check "quit says it in one line" \
	test "$(screen | grep -c "ktop: settings not saved: $ro/ktop: Read-only file system")" = 1

# --- the mouse
printf 'delay=0.5\n' >"$rc"
check "ktop starts for the mouse" start_ktop "$cfg"
wait_for 10 screen_has "COMMAND"
pos=$(find_text "2 Off-CPU")
note "Off-CPU tab at $pos"
click "${pos% *}" "$((${pos#* } + 1))"
check "a click on the Off-CPU tab shows it" wait_for 10 screen_has "Frame (outermost caller first)"
check "the tree has a node to open" wait_for 20 eval '[ -n "$(find_text "▸")" ]'
tm send-keys -t ktop Space # paused: the tree holds still
wait_for 5 screen_has "PAUSED"
pos=$(find_text "▸")
line=${pos% *}
note "first closed node at $pos: $(screen | sed -n "${line}p")"
before=$(screen | sed -n "$((line + 1))p")
click "$line" "${pos#* }"
check "a click on a node's marker opens it" \
	wait_for 5 eval 'screen | sed -n "${line}p" | grep -q "▾"'
check "its children show below it" \
	wait_for 5 eval '[ "$(screen | sed -n "$((line + 1))p")" != "$before" ]'
click "$line" "${pos#* }"
check "a second click closes it" wait_for 5 eval 'screen | sed -n "${line}p" | grep -q "▸"'
tm send-keys -t ktop Space
pos=$(find_text "1 Overview")
click "${pos% *}" "$((${pos#* } + 1))"
check "a click on the Overview tab shows it" wait_for 10 screen_has "sort busy"
tm send-keys -t ktop F6
check "F6 sorts by the next column after busy: PID, ascending" \
	wait_for 5 eval 'screen_has "sort pid " && screen_has "^PID"'
pos=$(find_text "COMMAND")
click "${pos% *}" "$((${pos#* } + 2))"
check "a click on the COMMAND title sorts by it" wait_for 5 screen_has "sort command "
tm send-keys -t ktop I
check "I reverses the sort" wait_for 5 screen_has "sort command (reversed)"
pos=$(find_text "  IO ")
note "IO title at $pos"
click "${pos% *}" "$((${pos#* } + 3))"
check "a click on the IO title sorts by it" wait_for 5 screen_has "sort io "
check "the title is marked" wait_for 5 screen_has "vIO"
click "${pos% *}" "$((${pos#* } + 3))"
check "a second click reverses the sort" wait_for 5 screen_has "sort io (reversed)"
wait_for 10 eval '[ -n "$(find_text "F2 Setup")" ]' # after the last message
pos=$(find_text "F2 Setup")
click "${pos% *}" "$((${pos#* } + 3))"
check "a click on F2 Setup in the footer opens the setup screen" \
	wait_for 5 screen_has "Refresh interval (s)"
pos=$(find_text "Trees inverted")
click "${pos% *}" "${pos#* }"
click "${pos% *}" "${pos#* }"
check "a click selects a setting, a second changes it" \
	wait_for 5 eval 'screen | grep -qE "Trees inverted +yes$"'
tm send-keys -t ktop Escape
check "the change is saved on leaving" wait_for 5 eval 'grep -qx "tree_invert=yes" "$rc"'
check "q quits" quit_ktop
check "the sort is saved on quit" eval 'grep -qx "sort.overview=io" "$rc" &&
	grep -qx "sort.overview.reverse=yes" "$rc"'
check "and the interval in the file was kept" grep -qx "delay=0.5" "$rc"

# --- the Stacks panel's thread table
sleep 600 &
sleeper=$!
check "ktop starts on the Stacks panel of a sleeping process" \
	start_ktop "$cfg" -P stacks -p "$sleeper"
check "the thread table is drawn" wait_for 20 screen_has "TOP FRAME"
tm send-keys -t ktop F6
check "F6 sorts the threads by TID" wait_for 5 screen_has "^TID"
pos=$(find_text "CPU%")
click "${pos% *}" "$((${pos#* } + 1))"
check "a click on the CPU% title sorts by it" wait_for 5 eval 'screen_has "vCPU%" && screen_lacks "^TID"'
check "q quits" quit_ktop
kill "$sleeper" 2>/dev/null
check "the threads' sort is saved" grep -qx "sort.stacks=cpu" "$rc"

check "ktop starts with the mouse off" start_ktop "$cfg" --no-mouse
wait_for 10 screen_has "COMMAND"
pos=$(find_text "2 Off-CPU")
click "${pos% *}" "$((${pos#* } + 1))"
sleep 1 # nothing is to happen: give it the time it took above
check "with --no-mouse a click does not switch tabs" screen_lacks "Frame (outermost"
check "q quits" quit_ktop
check "no BPF program is left" wait_for 5 eval '! ktop_progs_loaded'
finish
