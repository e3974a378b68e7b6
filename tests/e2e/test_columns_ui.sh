#!/usr/bin/env bash
# End to end: a table's columns chosen on the setup screen, and the slow-query list sorted by
# any column, in tmux with a temp XDG_CONFIG_HOME and a real MariaDB started here. Covers a
# column hidden on the setup screen's Columns page (live, saved as columns.overview, holding
# at the next start), an unknown column name in the file warned with file:line while the
# rest applies, values typed at the setup screen's prompt (a bad number or a theme that does
# not load refused in one line and nothing changed), batch mode taking only the file's
# columns, and the slow-query list sorted by a click on its DB title, the other
# way with I, by the next columns with > and F6, the sort saved on quit.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$KTOP_TOP/tests/bpf/db.sh"

cfg="$work/cfg"
rc="$cfg/ktop/ktoprc"
cleanup_columns() {
	# a ktop still running saves its settings when tmux hangs up: let it, then remove
	tmux -L "$sock" kill-server 2>/dev/null && sleep 1
	db_cleanup
	cleanup_test
}
trap cleanup_columns EXIT

screen() { tm capture-pane -p -t ktop; }
screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen | grep -qF -- "$1"; }
# start_ktop [OPTIONS...]: ktop with the test's config home, up when its tabs are drawn.
start_ktop() {
	tm send-keys -t ktop "clear; XDG_CONFIG_HOME=$cfg $KTOP $*; echo KTOP_EXIT=\$?" Enter
	wait_for 30 screen_has "1 Overview"
}
quit_ktop() {
	tm send-keys -t ktop q
	wait_for 20 screen_has "KTOP_EXIT=0"
}
# The Overview table's title row.
ov_titles() { screen | grep -E '^ +[v^]?PID +[v^]?USER'; }
# The slow-query list's title row, and the row right under it.
list_titles() { screen | grep -E '^ TIME +PID'; }
first_query() { screen | grep -A1 -E '^ TIME +PID' | sed -n 2p; }
# click ROW COL: a left press and release at 1-based ROW, COL (SGR mouse reports).
click() {
	if [ $# != 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
		note "click: no position (the text was not on screen): $(screen | tail -n 1)"
		return 1
	fi
	tm send-keys -t ktop -l $'\e[<0;'"$2;$1"'M'$'\e[<0;'"$2;$1"'m'
}
# The 1-based line and column of TEXT in the first line matching REGEX ("LINE COL").
find_in() {
	screen | awk -v re="$1" -v t="$2" '$0 ~ re { i = index($0, t); if (i) { print NR, i; exit } }'
}
# down N: N presses of Down (the setup screen's rows).
down() { for ((i = 0; i < $1; i++)); do tm send-keys -t ktop Down; done; }

tm -f /dev/null new-session -d -s ktop -x 140 -y 45 \
	"env -i PATH=$PATH HOME=$work TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile" ||
	{ not_ok "tmux"; finish; }

# --- hide a column on the setup screen's Columns page
check "ktop starts with no settings file" start_ktop -d 0.5
check "the Overview table shows CGROUP" wait_for 15 eval 'ov_titles | grep -q CGROUP'
tm send-keys -t ktop F2
check "F2 opens the setup screen with a Columns row per table" \
	wait_for 5 eval 'screen | grep -qE "Overview: processes +pid,user,cgroup,threads"'
down 11
tm send-keys -t ktop Enter
check "Enter on the Overview's row opens its columns page" \
	wait_for 5 eval 'screen_has "Columns of Overview: processes" && screen_has "[x] CGROUP"'
down 2
tm send-keys -t ktop Space
check "Space hides the selected column (CGROUP)" wait_for 5 screen_has "[ ] CGROUP"
tm send-keys -t ktop Escape
check "Esc goes back to the settings, the row without cgroup" \
	wait_for 5 eval 'screen | grep -qE "Overview: processes +pid,user,threads,state"'
tm send-keys -t ktop Escape
check "Esc saves and leaves" wait_for 5 screen_has "settings saved in $rc"
check "the Overview table lacks CGROUP at once" \
	wait_for 10 eval 'ov_titles | grep -qE "USER +THR" && ! ov_titles | grep -q CGROUP'
check "the file lists the shown columns" \
	grep -qsx "columns.overview=pid,user,threads,state,cpu,runq,io,lock,net,sleep,poll,other,busy,iops,mbs,sqs,bar,command" "$rc"
check "q quits" quit_ktop
check "ktop starts again" start_ktop -d 0.5
check "the hidden column holds at the next start" \
	wait_for 15 eval 'ov_titles | grep -qE "USER +THR" && ! ov_titles | grep -q CGROUP'
check "q quits" quit_ktop

# --- an unknown column name: one warning with file:line, the rest of the file applies
printf 'delay=2\ncolumns.overview=pid,nosuch,command\n' >"$rc"
check "ktop starts with an unknown column in the file" start_ktop
check "the bad line is named with its file and line" \
	wait_for 10 screen_has "ktoprc:2: overview has no column 'nosuch'"
check "the line before it applies" wait_for 10 screen_has "every 2.0s"
check "the table keeps its columns" wait_for 10 eval 'ov_titles | grep -q CGROUP'

# --- a typed value: a bad one is refused in one line, a good one applies
tm send-keys -t ktop F2
wait_for 5 screen_has "Refresh interval (s)"
down 1
tm send-keys -t ktop Enter
check "Enter on the refresh interval opens a prompt" \
	wait_for 5 eval 'screen | tail -n 1 | grep -qF "Refresh interval (s)"'
tm send-keys -t ktop C-u
tm send-keys -t ktop -l "abc"
tm send-keys -t ktop Enter
check "a bad value is refused in one line" \
	wait_for 5 eval 'screen | tail -n 1 | grep -qF "delay: '"'abc'"' is not a number"'
check "and changes nothing" eval 'screen | grep -qE "Refresh interval \(s\) +2$"'
tm send-keys -t ktop C-u
tm send-keys -t ktop -l "0.7"
tm send-keys -t ktop Enter
check "a good value is taken" wait_for 5 eval 'screen | grep -qE "Refresh interval \(s\) +0.7$"'
check "and applies live" wait_for 5 screen_has "every 0.7s"
down 1
tm send-keys -t ktop Enter
wait_for 5 eval 'screen | tail -n 1 | grep -qF "Theme"'
tm send-keys -t ktop -l "nosuch"
tm send-keys -t ktop Enter
check "a theme that does not load is refused as --theme refuses it" \
	wait_for 5 eval 'screen | tail -n 1 | grep -qF "theme: no theme '"'nosuch'"'"'
tm send-keys -t ktop Escape
check "Esc cancels the prompt: the theme is unchanged" \
	wait_for 5 eval 'screen | grep -qE "^ +Theme +\(default\)$"'
tm send-keys -t ktop Escape
check "it is saved on leaving" wait_for 5 eval 'grep -qsx "delay=0.7" "$rc"'
check "q quits" quit_ktop
check "the warning is also on stderr after quit" screen_has "ktop: warning: $rc:2:"

# --- the slow-query list sorted by any column
db_mariadb_start cols || { not_ok "start MariaDB"; finish; }
my=$db_pid
mysock=$db_sock
db_mysql "$mysock" "CREATE DATABASE aaa" >/dev/null
db_mysql "$mysock" "CREATE DATABASE zzz" >/dev/null
check "ktop starts on the Slow queries panel of this MariaDB" start_ktop -P sql --db "$my"
check "the server is traced" wait_for 20 screen_has "mariadbd $my ("
mariadb --no-defaults -S "$mysock" -u root -N -B aaa -e "SELECT SLEEP(0.3) AS in_aaa" >/dev/null
mariadb --no-defaults -S "$mysock" -u root -N -B zzz -e "SELECT SLEEP(0.15) AS in_zzz" >/dev/null
check "both queries are listed" wait_for 15 eval 'screen_has in_aaa && screen_has in_zzz'
check "newest first by default" eval 'first_query | grep -qF in_zzz && list_titles | grep -qF "newest first"'
pos=$(find_in '^ TIME +PID' ' DB ')
note "DB title at $pos: $(list_titles)"
click "${pos% *}" "$((${pos#* } + 1))"
check "a click on the DB title sorts by it, A to Z" \
	wait_for 5 eval 'list_titles | grep -qE "by db$" && first_query | grep -qF in_aaa'
tm send-keys -t ktop I
check "I sorts the other way" \
	wait_for 5 eval 'list_titles | grep -qF "by db reversed" && first_query | grep -qF in_zzz'
tm send-keys -t ktop '>'
check "> sorts by the next column (MS), still the other way: fastest first" \
	wait_for 5 eval 'list_titles | grep -qF "fastest first" && first_query | grep -qF in_zzz'
tm send-keys -t ktop I
check "I again: slowest first" \
	wait_for 5 eval 'list_titles | grep -qF "slowest first" && first_query | grep -qF in_aaa'
tm send-keys -t ktop F6
check "F6 sorts by the next one (QUERY)" wait_for 5 eval 'list_titles | grep -qF "by query"'
tm send-keys -t ktop '<'
check "< goes back (MS)" wait_for 5 eval 'list_titles | grep -qF "slowest first"'
check "q quits" quit_ktop
check "the list's sort is saved" \
	eval 'grep -qsx "sort.sql_list=ms" "$rc" && grep -qsx "sort.sql_list.reverse=no" "$rc"' 

# --- the USER column (hidden by default), shown through the file: who ran each query
db_mysql "$mysock" "CREATE USER carol@localhost; GRANT ALL ON aaa.* TO carol@localhost" >/dev/null
printf 'columns.sql_list=time,user,db,ms,query\n' >"$rc"
check "ktop starts again, the list with a USER column" start_ktop -P sql --db "$my"
wait_for 20 screen_has "mariadbd $my (" || note "the server is not traced yet"
mariadb --no-defaults -S "$mysock" -u carol -N -B aaa -e "SELECT SLEEP(0.2) AS by_carol" >/dev/null
check "the USER column names the user a query ran as" \
	wait_for 15 eval 'screen | grep -qE "carol +aaa +2[0-9][0-9]\.[0-9] +SELECT SLEEP\(0\.2\) AS by_carol"'
check "q quits" quit_ktop

# --- batch mode takes the tables' columns from the file, not the panel, interval or thresholds
printf 'panel=sql\ndelay=30\ncolumns.overview=pid,busy,command\n' >"$rc"
XDG_CONFIG_HOME=$cfg timeout 60 "$KTOP" -b -n 1 -d 0.5 >"$work/batch.txt" 2>"$work/batch.err"
note "batch exit $?; stderr: $(head -c 300 "$work/batch.err")"
titles=$(grep -E '^ +[v^]?PID ' "$work/batch.txt" | head -1)
note "batch titles: $titles"
check "batch prints the Overview whatever panel the file names" \
	grep -qE '^ +[v^]?PID +[v^]?BUSY +[v^]?COMMAND' "$work/batch.txt"
check "with the file's columns" eval '! grep -q CGROUP "$work/batch.txt"'
check "at the command line's interval, not the file's" eval 'head -n 1 "$work/batch.txt" | grep -qF "every 0.5s"'
check "--no-config: the default columns" \
	eval 'XDG_CONFIG_HOME=$cfg timeout 60 "$KTOP" --no-config -b -n 1 -d 0.5 | grep -q CGROUP'
check "no BPF program is left" wait_for 5 eval '! ktop_progs_loaded'
finish
