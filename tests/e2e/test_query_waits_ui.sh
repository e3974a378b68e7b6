#!/usr/bin/env bash
# End to end: where slow queries' time went, in the Slow queries panel in tmux with a real
# MariaDB started here (unix socket in a temp dir): the WAITS column of the list (SELECT SLEEP
# waits on a condition variable: poll), the detail's bar per class with the switches and block
# I/O, the digest's column, and the text export (s) carrying the column.
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
	 $KTOP -P sql -d 0.5 -t 100" ||
	{ not_ok "tmux"; finish; }
check "the panel lists the MariaDB server" \
	wait_for 30 has "mariadbd $my (uprobe dispatch_command"
check "the list has a WAITS column" has "WAITS"
db_mysql "$mysock" "SELECT SLEEP(0.3) AS waits_e2e" >/dev/null
check "a slow query shows its largest class and share in the column (SLEEP waits: poll)" \
	wait_for 15 eval 'screen |
		grep -E " poll (9[0-9]|100)%.* SELECT SLEEP\(0\.3\) AS waits_e2e" >/dev/null'
key Enter
check "Enter: the detail says where the time went" wait_for 10 has "where the time went"
check "  with a bar per class (poll, in ms and share)" \
	eval 'screen | grep -E "^ +poll +[0-9]+\.[0-9] ms +(9[0-9]|100)\.[0-9]%" >/dev/null'
check "  and the switches and block I/O" has "context switches"
key Escape
wait_for 5 has "newest first"
key s
check "s saves the list as text" wait_for 10 has "saved "
saved=$(grep -l "SLEEP(0.3) AS waits_e2e" "$work"/ktop-*.txt 2>/dev/null |
	xargs -r grep -l "WAITS" | head -1)
check "the text export of the list has the WAITS column and the query's share" \
	eval '[ -n "$saved" ] &&
		grep -E " poll (9[0-9]|100)%.* SELECT SLEEP\(0\.3\) AS waits_e2e" "$saved" >/dev/null'
key g
check "g: the digest has the WAITS (AVG) column with the shape's share" \
	wait_for 5 eval 'has "WAITS (AVG)" && screen |
		grep -E " poll (9[0-9]|100)%.* select sleep\(\?\) as waits_e2e" >/dev/null'
key q
check "q quits" wait_for 10 eval '! tm has-session -t qw 2>/dev/null'
finish
