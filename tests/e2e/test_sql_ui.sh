#!/usr/bin/env bash
# End to end: the Slow queries panel in tmux with a real MariaDB started here (unix socket in
# a temp dir): the server line, slow queries listed with their latency, the sort toggle, the
# detail view, the digest, the threshold prompt taking effect, and redaction.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$KTOP_TOP/tests/bpf/db.sh"
trap 'db_cleanup; cleanup_test' EXIT

screen() { tm capture-pane -p -t sql; }
has() { screen | grep -qF -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
key() { tm send-keys -t sql "$@"; }
# The data row right under the list's titles.
first_query() { screen | grep -A1 -E '^ TIME +PID' | sed -n 2p; }

db_mariadb_start e2e || { not_ok "start MariaDB"; finish; }
my=$db_pid
mysock=$db_sock

tm -f /dev/null new-session -d -s sql -x 120 -y 32 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 KTOP_EXPORT_DIR=$work \
	 $KTOP -P sql -d 0.5" ||
	{ not_ok "tmux"; finish; }
check "the panel lists the MariaDB server and how it is traced" \
	wait_for 15 has "mariadbd $my (uprobe dispatch_command"
db_mysql "$mysock" "CREATE DATABASE shop" >/dev/null
mariadb --no-defaults -S "$mysock" -u root -N -B shop -e "SELECT SLEEP(0.12) AS in_shop" >/dev/null
db_mysql "$mysock" "SELECT SLEEP(0.3)" >/dev/null
db_mysql "$mysock" "SELECT SLEEP(0.4)" >/dev/null
db_mysql "$mysock" "SELECT 1 AS fast_q" >/dev/null
check "slow queries appear with their latency" \
	wait_for 10 eval 'screen | grep -E "mysql +- +3[0-9][0-9]\.[0-9] +SELECT SLEEP\(0\.3\)" >/dev/null &&
			  screen | grep -E "mysql +- +4[0-9][0-9]\.[0-9] +SELECT SLEEP\(0\.4\)" >/dev/null'
check "a fast query does not" lacks "fast_q"
check "the DB column names a query's database" \
	eval 'screen | grep -E "mysql +shop +1[0-9][0-9]\.[0-9] +SELECT SLEEP\(0\.12\) AS in_shop" >/dev/null' 
check "newest first by default" eval 'first_query | grep -qF "SLEEP(0.4)"'
db_mysql "$mysock" "SELECT SLEEP(0.05) AS third_q" >/dev/null
wait_for 10 has third_q
key o
check "o sorts slowest first" wait_for 5 eval 'has "slowest first" && first_query | grep -qF "SLEEP(0.4)"'
key Enter
check "Enter opens the detail view, with the user the query ran as" \
	wait_for 5 eval 'has "started" && has "pid $my" && has "SELECT SLEEP(0.4)" && has "  db ?  user root"'
key Enter
check "Enter again opens the server's stacks" wait_for 10 has "pid $my mariadbd"
key 4
wait_for 5 has "servers:"
key Escape
check "Esc goes back to the list" wait_for 5 has "slowest first"
key p
key Enter
wait_for 5 has "pid: all"
# text from the server is escaped everywhere: list, detail and the text export
db_mysql "$mysock" "SELECT SLEEP(0.12), '$(printf '\033')[31mred' AS esc" >/dev/null
check "an escape sequence in a query shows escaped in the list" \
	wait_for 10 eval 'screen | grep -qF "\\x1b[31mred'"'"' AS esc"'
key o
key Home
key Enter
check "and in the detail view" wait_for 5 eval 'has started && screen | grep -qF "\\x1b[31mred"'
key s
check "s saves the list as text" wait_for 5 has "saved "
saved=$(ls "$work"/ktop-*.txt 2>/dev/null | head -1)
check "the text export has it escaped, and no escape byte at all" \
	eval 'grep -qF "\\x1b[31mred" "$saved" && ! grep -q $'"'"'\x1b'"'"' "$saved"'
key Escape
key o
key g
check "g groups SLEEP(0.3) and SLEEP(0.4) in one shape" \
	wait_for 5 eval 'has FINGERPRINT && screen | grep -E "^ +2 .* select sleep\(\?\)$" >/dev/null'
check "and keeps SELECT ... AS third_q apart" has "select sleep(?) as third_q"
key g
key t
check "t opens the threshold prompt" wait_for 5 has "slow query threshold in ms"
tm send-keys -t sql -l "200"
key Enter
check "the new threshold shows in the header" wait_for 5 has "slow query > 200ms"
db_mysql "$mysock" "SELECT SLEEP(0.1) AS under_new" >/dev/null
db_mysql "$mysock" "SELECT SLEEP(0.25) AS over_new" >/dev/null
check "the threshold applies: 250 ms listed" wait_for 10 has over_new
check "and 100 ms not" lacks under_new
key x
check "x redacts the literals" wait_for 5 eval 'has "SELECT SLEEP(?) AS over_new" && has redacted'
key q
check "q quits" wait_for 10 eval '! tm has-session -t sql 2>/dev/null'
finish
