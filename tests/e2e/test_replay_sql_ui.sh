#!/usr/bin/env bash
# End to end: the Slow queries and Trace panels of a recording replayed live from their models
# in tmux, as an unprivileged user. A real MariaDB (unix socket in a temp dir) runs slow queries
# (SLEEP, one in a database, one with an escape sequence) while ktop records them with a trace
# probe on exec; the batch replay prints the JSON live batch printed, byte for byte. On the
# screen: an interval shows its own queries only, c the queries of the range (kept as . steps
# on), Enter a query's detail with where its time went, g the digest with the recorded
# fingerprint, and the escape sequence stays escaped; the Trace panel lists the probe and its
# recorded events, / finds one; the Overview's SQ/s column counts the server's recorded queries.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$KTOP_TOP/tests/bpf/db.sh"
need_tools mariadb tmux
trap 'db_cleanup; cleanup_test' EXIT

screen() { tm capture-pane -p -t rq; }
has() { screen | grep -qF -- "$1"; }
key() { tm send-keys -t rq "$@"; }
# check_screen DESCRIPTION COMMAND...: check, and the screen as # lines when it fails.
check_screen() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
		screen | sed 's/^/# /'
	fi
}

db_mariadb_start replay || { not_ok "start MariaDB"; finish; }
mysock=$db_sock
db_mysql "$mysock" "CREATE DATABASE shop" >/dev/null

# 16 intervals of 0.5 s: the queries run in the middle
"$KTOP" -b -P sql -f json -d 0.5 -n 16 -w "$work/rec.ktop" --db "$db_pid" \
	--trace 't:sched:sched_process_exec "exec %s", args->filename' \
	>"$work/live.json" 2>"$work/rec.err" &
rec=$!
pids+=("$rec")
wait_for 30 grep -q "snapshot every" "$work/rec.err" ||
	{ not_ok "ktop records: $(head -3 "$work/rec.err")"; finish; }
sleep 1 # two intervals without a query
mariadb --no-defaults -S "$mysock" -u root -N -B shop -e "SELECT SLEEP(0.3)" >/dev/null
sleep 1 # the next query in another interval
db_mysql "$mysock" "SELECT SLEEP(0.4)" >/dev/null
db_mysql "$mysock" "SELECT SLEEP(0.2), '$(printf '\033')[31mred' AS esc" >/dev/null
wait "$rec"
rc=$?
check "the recording ends well" test "$rc" = 0
"$KTOP" -r "$work/rec.ktop" -b -P sql -f json >"$work/replay.json" 2>"$work/replay.err"
check "the batch replay prints what live batch printed, byte for byte" \
	cmp "$work/live.json" "$work/replay.json"
# the intervals holding each query (1-based), from the live JSON
python3 - "$work/live.json" >"$work/where" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for i, r in enumerate(rows, 1):
    for q in r["queries"]:
        print(i, "%.1f" % q["latency_ms"], q["text"][:30])
PY
note "queries by interval: $(tr '\n' ';' <"$work/where")"
n_queries=$(wc -l <"$work/where")
check "live saw the three slow queries" test "$n_queries" = 3
first_at=$(awk 'NR == 1 { print $1 }' "$work/where")
chown nobody "$work/rec.ktop" && chmod 755 "$work"

tm -f /dev/null new-session -d -s rq -x 120 -y 36 \
	"env -i PATH=$PATH HOME=/ TERM=screen-256color LANG=C.UTF-8 setpriv --reuid nobody \
	--regid nogroup --clear-groups $KTOP -r $work/rec.ktop -P sql" || { not_ok "tmux"; finish; }
check_screen "the Slow queries panel is drawn from its model: the recorded server and its tracing" \
	wait_for 15 eval 'has "interval 1 of 16" && has "mariadbd $db_pid (uprobe" && has "TIME "'
check_screen "the first interval holds no query" eval '! has "SLEEP("'
check_screen "the footer says g is the digest here, as live" has "g digest  Enter detail"
# step to the first query's interval: it alone is listed
for ((i = 1; i < ${first_at:-1}; i++)); do key .; done
check_screen "interval $first_at lists its query, the one in shop, and no other" \
	wait_for 5 eval 'has "interval $first_at of 16" && ! has "SLEEP(0.4)" &&
		screen | grep -qE "mysql +shop +3[0-9][0-9]\.[0-9] +SELECT SLEEP\(0\.3\)"'
key 6
check_screen "6: the Trace panel from its model, the probe with its recorded events" \
	wait_for 5 eval 'has "t:sched:sched_process_exec" && has " events "'
key c
check_screen "c: the events from the first interval to this one" \
	wait_for 5 has "(intervals 1-$first_at)"
key /
tm send-keys -t rq -l "bin/mariadb"
key Enter
check_screen "/ finds the client's exec among them" \
	wait_for 5 eval '! has "search (n" && has "exec /usr/bin/mariadb"'
key a
check_screen "a (add a probe) is refused in words" wait_for 5 has "not in a replay"
key c
key Enter
check_screen "c, Enter: the interval alone (fewer events than the selection's), the event's stacks \
refused in words" wait_for 5 eval '! has "(intervals 1-" && has "not in a replay: the stacks"'
key 4
key c
# on to the last interval one step at a time: each step adds one interval to the range kept
for ((i = ${first_at:-1}; i < 16; i++)); do key .; done
check_screen "c, then . to the last: the queries of the range, from the first to the last" \
	wait_for 5 eval 'has "(intervals 1-16)" && has "SLEEP(0.3)" && has "SLEEP(0.4)" &&
		has "31mred"'
check_screen "the escape sequence recorded shows escaped" \
	eval 'screen | grep -qF "\\x1b[31mred"'
key o
key Home
key Enter
check_screen "Enter: the slowest query in detail, where its time went" \
	wait_for 5 eval 'has "SELECT SLEEP(0.4)" && has "started" && has "where the time went" &&
		screen | grep -qE "^ +sleep +[0-9.]+ ms"'
key Escape
key g
check_screen "g: the digest, SLEEP(0.3) and SLEEP(0.4) under the recorded fingerprint" \
	wait_for 5 eval 'has FINGERPRINT && screen | grep -qE "^ +2 .* select sleep\(\?\)$"'
key c
check_screen "c again: the last interval alone, whose digest is empty" \
	wait_for 5 eval '! has "(intervals 1-16)" && has "no slow query yet"'
key c
key g
key x
check_screen "c, g, x: the range's list, the recorded queries' literals hidden, as live" \
	wait_for 5 eval 'has "redacted" && has "SELECT SLEEP(?)" && ! has "SLEEP(0.4)"'
# the Overview's SQ/s column from the same Slow queries models: the server's queries of the range
tm resize-window -t rq -x 170 -y 36
key 1
key p
tm send-keys -t rq -l "$db_pid"
key Enter
key c
# sqs_cell: the SQ/s cell of the server's row (the column right-aligned under its title)
sqs_cell() {
	screen | awk -v pid="$db_pid" '/ SQ\/s / { col = index($0, "SQ/s") }
		col && $1 == pid { print substr($0, col - 1, 5); exit }' | tr -d ' '
}
check_screen "1, p SERVER, c: the server's SQ/s over the range, from the Slow queries models" \
	wait_for 5 eval 'has "(intervals 1-16)" && sqs_cell | grep -qE "^(0\.[1-9]|[1-9])"'
note "the server's SQ/s over intervals 1-16: $(sqs_cell)"
key q
check_screen "q quits" wait_for 10 eval '! tm has-session -t rq 2>/dev/null'
finish
