#!/usr/bin/env bash
# A MariaDB SIGKILLed in the middle of a slow query (SELECT SLEEP(5)), then restarted, under
# ktop's Slow queries panel (batch, JSON, -d 1): the killed server leaves the server list (no
# stale entry), the new one is traced within two refreshes of accepting connections, the killed
# query is never reported as finished (in no snapshot's list nor digest), and a query on the new
# server is reported (so the check above could have seen one).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/db.sh"

ktop=""
client=""
trap '[ -n "$client" ] && kill "$client" 2>/dev/null; [ -n "$ktop" ] && kill "$ktop" 2>/dev/null
	db_cleanup; cleanup_test' EXIT

# j.py CMD FILE ARGS: questions on ktop's JSON lines (whole lines only).
cat >"$work/j.py" <<'PY'
import json, sys
cmd, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
snaps = [json.loads(l) for l in open(path, "rb").read().split(b"\n")[:-1] if l.strip()]
if not snaps:
    sys.exit(3)
def servers(s, traced=None):
    return [v["pid"] for v in s["servers"] if traced is None or v["traced"] == traced]
if cmd == "traced":  # traced FILE PID: the last snapshot lists PID as traced
    sys.exit(0 if int(args[0]) in servers(snaps[-1], True) else 1)
elif cmd == "listed":  # listed FILE PID: the last snapshot lists PID
    sys.exit(0 if int(args[0]) in servers(snaps[-1]) else 1)
elif cmd == "first_traced":  # first_traced FILE PID: the line number of the first tracing PID
    for i, s in enumerate(snaps, 1):
        if int(args[0]) in servers(s, True):
            print(i)
            sys.exit(0)
    sys.exit(1)
elif cmd == "count":  # count FILE TEXT: queries (list + digest) whose text holds TEXT
    seqs = {q["seq"] for s in snaps for q in s["queries"] if args[0] in q["text"]}
    digest = max([d["count"] for s in snaps for d in s["digest"]
                  if args[0].lower() in d["fingerprint"].lower()] or [0])
    print(len(seqs), digest)
elif cmd == "lines":
    print(len(snaps))
PY
j() { python3 "$work/j.py" "$@" 2>/dev/null; }
in_processlist() {
	db_mysql "$db_sock" "SELECT COUNT(*) FROM information_schema.processlist
		WHERE info LIKE '%$1%' AND info NOT LIKE '%processlist%'" 2>/dev/null | grep -qx '[1-9]'
}

db_mariadb_start m || { not_ok "start MariaDB"; finish; }
old=$db_pid
sock=$db_sock
"$KTOP" -b -P sql -t 50 -d 1 -f json >"$work/out" 2>"$work/err" &
ktop=$!
check "ktop traces the server" wait_for 45 j traced "$work/out" "$old" ||
	{ note "$(head -3 "$work/err")"; finish; }
db_mysql "$sock" "SELECT SLEEP(5) AS killed_midway" >/dev/null 2>&1 &
client=$!
check "the slow query runs" wait_for 15 in_processlist killed_midway
sleep 0.5
kill -KILL "$old"
check "the server is gone" db_wait_gone "$old" 10
wait "$client" 2>/dev/null
client=""
check "the killed server leaves the server list (no stale entry)" \
	wait_for 15 eval '! j listed "$work/out" "$old"'
db_mariadb_start m || { not_ok "restart MariaDB"; finish; }
new=$db_pid
ready=$(j lines "$work/out")
check "the new server $new is traced" wait_for 15 j traced "$work/out" "$new"
first=$(j first_traced "$work/out" "$new")
note "the new server accepted connections at snapshot $ready, first traced in snapshot $first"
check "... within two refreshes of accepting connections" test "${first:-999}" -le $((ready + 2))
db_mysql "$sock" "SELECT SLEEP(0.2) AS after_restart" >/dev/null
check "a slow query on the new server is reported" \
	wait_for 15 eval '[ "$(j count "$work/out" after_restart | cut -d" " -f1)" = 1 ]'
# the killed query had 5 s to finish: a snapshot well after that says what was reported
mark=$(j lines "$work/out")
wait_for 30 eval '[ "$(j lines "$work/out")" -ge $((mark + 2)) ]'
check "the killed query is never reported as finished (list, digest: $(j count "$work/out" \
	killed_midway))" test "$(j count "$work/out" killed_midway)" = "0 0"
check "ktop is still running" kill -0 "$ktop"
kill -INT "$ktop"
wait "$ktop"
rc=$?
ktop=""
check "ktop ends normally on SIGINT (exit $rc)" test "$rc" = 0
finish
