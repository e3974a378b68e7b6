#!/usr/bin/env bash
# End to end: where slow queries' time went, in the Slow queries panel in tmux with a real
# MariaDB started here (unix socket in a temp dir): the WAITS column of the list (SELECT SLEEP
# is sleep, by a rule on its stack's Item_func_sleep::val_int), the detail's bar per class with
# the switches and block I/O, the rule that named the class, the tree of the stacks it blocked
# in (moved through with End and Home, collapsed with Left), the text export of the detail (s) with the tree's frames, the
# digest's column, and the text export of the list carrying the column.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$KTOP_TOP/tests/bpf/db.sh"
trap 'db_cleanup; cleanup_test' EXIT

screen() { tm capture-pane -p -t qw; }
has() { screen | grep -qF -- "$1"; }
key() { tm send-keys -t qw "$@"; }

db_mariadb_start e2ew || { not_ok "start MariaDB"; finish; }
my=$db_pid
mysock=$db_sock

tm -f /dev/null new-session -d -s qw -x 150 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work \
	 $KTOP -P sql -d 0.5 -t 100 --db $my" ||
	{ not_ok "tmux"; finish; }
check "the panel lists the MariaDB server" \
	wait_for 30 has "mariadbd $my (uprobe dispatch_command"
check "the list has a WAITS column" has "WAITS"
db_mysql "$mysock" "SELECT SLEEP(0.3) AS waits_e2e" >/dev/null
check "a slow query shows its largest class and share in the column (SLEEP: sleep)" \
	wait_for 15 eval 'screen |
		grep -E " sleep (9[0-9]|100)%.* SELECT SLEEP\(0\.3\) AS waits_e2e" >/dev/null'
key Enter
check "Enter: the detail says where the time went" wait_for 10 has "where the time went"
check "  with a bar per class (sleep, in ms and share)" \
	eval 'screen | grep -E "^ +sleep +[0-9]+\.[0-9] ms +(9[0-9]|100)\.[0-9]%" >/dev/null'
check "  and the switches and block I/O" has "context switches"
check "  the rule that named it (kernel: poll)" \
	eval 'screen | grep -E "kernel: poll\) by rule mariadb\.rules:[0-9]+: Item_func_sleep" >/dev/null'
check "  and where it blocked, a tree open down to the sleep" \
	eval 'screen | grep -qE "where it blocked: [0-9]+ stacks?" && has "Item_func_sleep::val_int()"'
key End
check "  End: its kernel frames at the bottom, the futex wait" wait_for 5 has "futex_wait_[k]"
key Home Down Down Left
check "Left collapses the selected node of the tree" \
	wait_for 5 eval 'screen | grep -qE "▸ (clone|start_thread)" && ! has "Item_func_sleep::val_int()"'
key Right e
wait_for 5 has "Item_func_sleep::val_int()"
key s
check "s in the detail saves it as text" wait_for 10 has "saved "
detail=$(grep -l "where it blocked" "$work"/ktop-*.txt 2>/dev/null | head -1)
check "  with its breakdown, rule and every frame of the tree" \
	eval '[ -n "$detail" ] && grep -q "by rule mariadb.rules" "$detail" &&
		grep -q "Item_func_sleep::val_int()" "$detail" && grep -q "futex_wait_\[k\]" "$detail"'
rm -f "$work"/ktop-*.txt
key Escape
wait_for 5 has "newest first"
key s
check "s saves the list as text" \
	wait_for 10 eval 'has "saved " && grep -qs WAITS "$work"/ktop-*.txt'
saved=$(grep -l "SLEEP(0.3) AS waits_e2e" "$work"/ktop-*.txt 2>/dev/null |
	xargs -r grep -l "WAITS" | head -1)
check "the text export of the list has the WAITS column and the query's share" \
	eval '[ -n "$saved" ] &&
		grep -E " sleep (9[0-9]|100)%.* SELECT SLEEP\(0\.3\) AS waits_e2e" "$saved" >/dev/null'
key g
check "g: the digest has the WAITS (AVG) column with the shape's share" \
	wait_for 5 eval 'has "WAITS (AVG)" && screen |
		grep -E " sleep (9[0-9]|100)%.* select sleep\(\?\) as waits_e2e" >/dev/null'
key q
check "q quits" wait_for 10 eval '! tm has-session -t qw 2>/dev/null'
finish
