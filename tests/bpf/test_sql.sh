#!/usr/bin/env bash
# Slow queries collector on real servers started here (MariaDB and PostgreSQL on unix sockets in
# a temp dir): SELECT SLEEP(0.3) and pg_sleep(0.3) are reported with their latency, through
# PostgreSQL's simple and extended protocols (pgbench -M extended and -M prepared), queries under
# the threshold are not; 500 slow queries from 8 connections are all reported, none lost; a query
# holding an escape sequence and invalid UTF-8 arrives in JSON as sent, JSON-escaped; a server restarted while ktop
# runs is traced again and the stopped one is dropped; a second server of each kind is traced
# too; 400 INSERTs on a thread-pool MariaDB (some suspended and resumed by the pool) are reported
# once each; -p keeps one server (a postmaster with its backends); --db names the servers; the
# event ring is mapped only once a server is traced; no BPF program is left behind.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/db.sh"

pids=() # ktop runs and clients, killed by cleanup_sql

cleanup_sql() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	db_cleanup
}
trap 'cleanup_sql; cleanup_test' EXIT

# The JSON lines ktop writes, read by one python helper: q.py COMMAND FILE ARGS...
cat >"$work/q.py" <<'EOF'
import json, re, sys

cmd, path = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
lines = []
# ktop may be writing the last line right now (even mid-character): only whole lines count,
# each of them valid UTF-8
for raw in open(path, "rb").read().split(b"\n")[:-1]:
    if raw.strip():
        lines.append(json.loads(raw.decode("utf-8", errors="strict")))
if not lines:
    sys.exit(3)  # no snapshot at all: neither yes nor no
last = lines[-1]

def queries():
    """Every query of every snapshot, once each."""
    seen, out = set(), []
    for l in lines:
        for q in l.get("queries", []):
            key = q["seq"]
            if key not in seen:
                seen.add(key)
                out.append(q)
    return out

def matching(rx):
    return [q for q in queries() if re.search(rx, q["text"])]

if cmd == "traced":  # traced FILE PID: the last snapshot lists PID as traced
    sys.exit(0 if any(s["pid"] == int(args[0]) and s["traced"] for s in last["servers"]) else 1)
elif cmd == "listed":  # listed FILE PID: the last snapshot lists PID at all
    sys.exit(0 if any(s["pid"] == int(args[0]) for s in last["servers"]) else 1)
elif cmd == "servers":  # servers FILE: the last snapshot's servers, one a line
    for s in last["servers"]:
        print(s["pid"], s["kind"], s["traced"], s["how"], s["why"])
elif cmd == "latency":  # latency FILE REGEX: the latency in ms of the first query matching
    m = matching(args[0])
    if not m:
        sys.exit(1)
    print(m[0]["latency_ms"])
elif cmd == "count":  # count FILE REGEX: queries matching, over all snapshots
    print(len(matching(args[0])))
elif cmd == "has":  # has FILE REGEX
    sys.exit(0 if matching(args[0]) else 1)
elif cmd == "field":  # field FILE REGEX KEY: a field of the first query matching
    m = matching(args[0])
    if not m:
        sys.exit(1)
    print(m[0][args[1]])
elif cmd == "digest":  # digest FILE REGEX: the sum of the counts of the digests matching
    print(sum(d["count"] for d in last["digest"] if re.search(args[0], d["fingerprint"])))
elif cmd == "clean":  # clean FILE: no control character raw in the JSON text itself
    raw = open(path, "rb").read().decode("utf-8", errors="strict")
    sys.exit(1 if any((ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) < 0xa0 for ch in raw)
             else 0)
elif cmd == "exact":  # exact FILE REGEX LITERAL: the first query matching is LITERAL (python)
    import ast
    m = matching(args[0])
    sys.exit(0 if m and m[0]["text"] == ast.literal_eval(args[1]) else 1)
elif cmd == "prepared":  # prepared FILE REGEX: every query matching is marked prepared
    m = matching(args[0])
    sys.exit(0 if m and all(q["prepared"] for q in m) else 1)
elif cmd == "drop":  # drop FILE NAME: a drop counter of the last snapshot
    print(last["drops"].get(args[0], -1))
elif cmd == "latencies":  # latencies FILE REGEX: the latency in ms of every query matching
    print(" ".join("%.0f" % q["latency_ms"] for q in matching(args[0])))
elif cmd == "seen":  # seen FILE: queries seen by the last snapshot
    print(last["seen"])
elif cmd == "intervals":  # intervals FILE: each snapshot lists its interval's queries, once
    seqs = [q["seq"] for l in lines for q in l["queries"]]
    listed, unlisted = len(seqs), sum(l["interval_unlisted"] for l in lines)
    bound = last["drops"].get("queries_past_the_list_bound", 0)
    print(listed, unlisted, last["seen"], bound)
    ok = seqs == sorted(set(seqs)) and listed + unlisted == last["seen"] and \
        all(len(l["queries"]) + l["interval_unlisted"] == l["interval_seen"] for l in lines) and \
        unlisted <= bound
    sys.exit(0 if ok else 1)
elif cmd == "lost":  # lost FILE: lost queries and every drop counter of the last snapshot
    print(last["lost"] + sum(last.get("drops", {}).values()))
else:
    sys.exit(2)
EOF
q() { python3 "$work/q.py" "$@" 2>/dev/null; }
# Predicates over a JSON-lines file, for check and wait_for.
not_listed() {
	q listed "$@"
	[ $? = 1 ]
}
no_query() {
	q has "$@"
	[ $? = 1 ]
}
q_count_is() { [ "$(q count "$1" "$2")" = "$3" ]; }
digest_is() { [ "$(q digest "$1" "$2")" = "$3" ]; }
digest_at_least() { [ "$(q digest "$1" "$2")" -ge "$3" ] 2>/dev/null; }
field_is() { [ "$(q field "$1" "$2" "$3")" = "$4" ]; }
field_is_not() { local v; v=$(q field "$1" "$2" "$3") && [ "$v" != "$4" ]; }
text_has() {
	local t
	t=$(q field "$1" "$2" text) && [[ $t == *"$3"* ]]
}
# (not grep -q in a pipe: it may close the pipe before q is done, and pipefail counts that)
servers_match() {
	local out rc
	out=$(q servers "$1")
	rc=$?
	grep -q -- "$2" <<<"$out" && return 0
	note "servers (q exit $rc): $out"
	return 1
}
no_sql_progs() { ! bpftool prog show 2>/dev/null | grep -qE 'name sql_(dispatch|usdt|pg)'; }
# within LATENCY_MS EXPECTED_MS PERCENT
within() { python3 -c "import sys; sys.exit(0 if abs($1 - $2) <= $2 * $3 / 100 else 1)"; }
# ktop_sql NAME ARGS...: ktop's Slow queries panel as JSON lines in $work/NAME.json, in the
# background, until it is attached; $ktop_pid is its PID.
ktop_sql() {
	local name=$1
	shift
	"$KTOP" -b -P sql -f json "$@" >"$work/$name.json" 2>"$work/$name.err" &
	ktop_pid=$!
	pids+=("$ktop_pid")
	wait_for 15 ktop_ready "$work/$name.err" || true
	grep -q "ktop: sql: tracing with" "$work/$name.err" ||
		note "$name: ktop did not start: $(head -3 "$work/$name.err")"
}
# wait_ktop SECONDS COMMAND...: wait until COMMAND succeeds while the last ktop run is alive;
# COMMAND's result.
wait_ktop() {
	local limit=$1
	shift
	wait_for "$limit" ktop_done_or "$@"
	"$@"
}
ktop_done_or() { "$@" || ! kill -0 "$ktop_pid" 2>/dev/null; }
# ktop_ready ERRFILE: the last ktop run is attached, or has exited.
ktop_ready() { grep -q "ktop: sql: tracing with" "$1" || ! kill -0 "$ktop_pid" 2>/dev/null; }
# ktop_stop: end the last ktop run (it writes whole lines, flushed each snapshot).
ktop_stop() {
	kill -INT "$ktop_pid" 2>/dev/null
	wait "$ktop_pid" 2>/dev/null
}
# mysql_load SOCK N TAG: N times SELECT SLEEP(0.011) on one connection, in the background.
mysql_load() {
	local i
	for ((i = 0; i < $2; i++)); do echo "SELECT SLEEP(0.011) AS $3;"; done |
		mariadb --no-defaults -S "$1" -u root -N -B >/dev/null &
	pids+=("$!")
	load+=("$!")
}

# mapped_mib: MiB of BPF maps the last ktop run has mapped (its ring: the kernel maps all its
# pages, twice, so it is mapped only once a server is traced).
mapped_mib() {
	awk '/bpf-map/ { split($1, a, "-"); s += strtonum("0x" a[2]) - strtonum("0x" a[1]) }
		END { printf "%d", s / 1048576 }' "/proc/$ktop_pid/maps"
}
if ! pgrep -x 'mysqld|mariadbd|postgres' >/dev/null; then
	ktop_sql none -d 0.5 -n 4
	none_mib=$(mapped_mib)
	ktop_stop
	check "with no server to trace the slow-query ring is not mapped ($none_mib MiB)" \
		test "${none_mib:-9}" -lt 1
fi

db_mariadb_start m1 || { not_ok "start MariaDB"; finish; }
m1=$db_pid
ms=$db_sock
db_pg_start p1 || { not_ok "start PostgreSQL"; finish; }
p1=$db_pid
ps=$db_sock
note "MariaDB $m1 on $ms, PostgreSQL $p1 in $ps"

# --- the threshold, latencies, escaping ---------------------------------------------------------
ktop_sql a -t 100 -d 0.5 -n 120
check "ktop attaches to the running MariaDB" wait_ktop 5 q traced "$work/a.json" "$m1"
check "and to the running PostgreSQL" wait_ktop 5 q traced "$work/a.json" "$p1"
servers_mib=$(mapped_mib)
check "with servers traced the ring is mapped ($servers_mib MiB)" test "${servers_mib:-0}" -ge 2
while read -r l; do note "server: $l"; done < <(q servers "$work/a.json")
check "MariaDB is traced through dispatch_command" \
	servers_match "$work/a.json" "^$m1 mysql True uprobe dispatch_command"
check "PostgreSQL through its USDT probes" \
	servers_match "$work/a.json" "^$p1 pg True USDT postgresql:query__start/done"
db_mysql "$ms" "SELECT SLEEP(0.3) AS slow_a" >/dev/null
db_mysql "$ms" "SELECT SLEEP(0.01) AS fast_a" >/dev/null
db_psql "$ps" "SELECT pg_sleep(0.3) AS slow_b" >/dev/null
db_psql "$ps" "SELECT 1 AS fast_b" >/dev/null
db_pg_extended "$ps" extended 1 "SELECT pg_sleep(0.3) AS ext_b" || not_ok "pgbench -M extended"
db_pg_extended "$ps" prepared 2 "SELECT pg_sleep(0.2) AS ext_c" || not_ok "pgbench -M prepared"
db_pg_extended "$ps" extended 1 "SELECT 1 AS fast_ext" || not_ok "pgbench -M extended, fast"
db_psql "$ps" "PREPARE s AS SELECT pg_sleep(0.12) AS nested_b; EXECUTE s; EXECUTE s" >/dev/null
printf 'SELECT SLEEP(0.15) AS esc /* \033[31mred\033[0m \xff\xfe\a b\\s\tt\nn */' |
	mariadb --no-defaults --comments -S "$ms" -u root -N -B >/dev/null
printf "SELECT pg_sleep(0.15) AS esc /* \033[2J */" |
	psql -X -q -h "$ps" -U postgres -d postgres >/dev/null
wait_ktop 5 q has "$work/a.json" "pg_sleep\(0.15\)"
ktop_stop
lat=$(q latency "$work/a.json" "SLEEP\(0.3\) AS slow_a")
note "SELECT SLEEP(0.3): ${lat:-missing} ms"
check "SELECT SLEEP(0.3) is reported within 20% of 300 ms" within "${lat:-0}" 300 20
lat=$(q latency "$work/a.json" "pg_sleep\(0.3\) AS slow_b")
note "SELECT pg_sleep(0.3): ${lat:-missing} ms"
check "SELECT pg_sleep(0.3) is reported within 20% of 300 ms" within "${lat:-0}" 300 20
check "PostgreSQL's extended protocol is traced too" \
	servers_match "$work/a.json" "^$p1 pg True USDT .*query__execute"
lat=$(q latency "$work/a.json" "^SELECT pg_sleep\(0.3\) AS ext_b")
note "pg_sleep(0.3) through Parse/Bind/Execute: ${lat:-missing} ms"
check "an extended-protocol pg_sleep(0.3) is reported with its text, within 20% of 300 ms" \
	within "${lat:-0}" 300 20
lat=$(q latency "$work/a.json" "^SELECT pg_sleep\(0.2\) AS ext_c")
note "prepared pg_sleep(0.2): ${lat:-missing} ms, $(q count "$work/a.json" "^SELECT pg_sleep\(0.2\) AS ext_c") reported"
check "a named prepared statement run twice is reported twice, within 20% of 200 ms" \
	test "$(q count "$work/a.json" "^SELECT pg_sleep\(0.2\) AS ext_c")" = 2 -a \
	"$(within "${lat:-0}" 200 20 && echo y)" = y
check "an extended-protocol query under the threshold is not" no_query "$work/a.json" fast_ext
lat=$(q latency "$work/a.json" "nested_b")
check "two EXECUTEs inside a simple query are reported once, as that query (within 20% of 240 ms)" \
	test "$(q count "$work/a.json" "nested_b")" = 1 -a "$(within "${lat:-0}" 240 20 && echo y)" = y
check "a query under the threshold is not (MariaDB)" no_query "$work/a.json" fast_a
check "nor on PostgreSQL" no_query "$work/a.json" fast_b
check "the MariaDB query names its server" field_is "$work/a.json" slow_a server mysql
check "the PostgreSQL one comes from a backend, not the postmaster" \
	field_is_not "$work/a.json" slow_b pid "$p1"
check "the digest folds the literal (select sleep(?) as slow_a)" \
	digest_is "$work/a.json" '^select sleep\(\?\) as slow_a$' 1
note "as JSON decodes it: $(q field "$work/a.json" 'AS esc /\*' text | od -c | head -3)"
check "JSON carries the query as sent: escapes, bell, backslash, tab, newline (bad UTF-8: U+FFFD)" \
	q exact "$work/a.json" 'AS esc /\*' \
	"'SELECT SLEEP(0.15) AS esc /* \\x1b[31mred\\x1b[0m \\ufffd\\ufffd\\x07 b\\\\s\\tt\\nn */'"
check "PostgreSQL's query text as sent as well" \
	text_has "$work/a.json" 'pg_sleep\(0.15\)' $'\x1b[2J'
check "no control character reaches the JSON raw" q clean "$work/a.json"

# --- 500 slow queries from 8 connections, all reported ------------------------------------------
ktop_sql b -t 10 -d 0.5 -n 120
load=()
for c in 0 1 2 3 4 5 6 7; do mysql_load "$ms" $((c < 4 ? 63 : 62)) "c$c"; done
wait "${load[@]}"
fp_c='^select sleep\(\?\) as c[0-7]$'
wait_ktop 5 digest_at_least "$work/b.json" "$fp_c" 500
ktop_stop
n=$(q count "$work/b.json" "SLEEP\(0.011\) AS c[0-7]")
note "500 queries of 11 ms on 8 connections: ${n:-0} listed, $(q digest "$work/b.json" "$fp_c")" \
	"in the digest, lost+drops $(q lost "$work/b.json")"
check "all 500 are listed" test "${n:-0}" = 500
check "and counted in the digest" digest_is "$work/b.json" "$fp_c" 500
check "none lost, no drop counted" test "$(q lost "$work/b.json")" = 0

# --- -t 0 under thousands of queries a second: each snapshot lists its interval's queries -------
# fast_load SOCK N: N fast queries on each of 4 connections, waited for.
fast_load() {
	local c i
	load=()
	for c in 0 1 2 3; do
		for ((i = 0; i < $2; i++)); do echo "SELECT $i AS t0_$c;"; done |
			mariadb --no-defaults -S "$1" -u root -N -B >/dev/null &
		pids+=("$!")
		load+=("$!")
	done
	wait "${load[@]}"
}
for bound in 100000 300; do
	ktop_sql t0 -t 0 -d 0.5 -n 60 --max-queries "$bound"
	fast_load "$ms" 2000
	wait_ktop 5 eval '[ "$(q seen "$work/t0.json")" -ge 8000 ] 2>/dev/null'
	ktop_stop
	counts=$(q intervals "$work/t0.json")
	rc=$?
	read -r listed unlisted seen dropped <<<"$counts"
	note "-t 0, --max-queries $bound: listed $listed, unlisted $unlisted, seen $seen," \
		"drop counter $dropped ($(grep -c . "$work/t0.json") snapshots)"
	if [ "$bound" = 300 ]; then
		check "-t 0, list bound 300: snapshots list their intervals, the rest counted as a drop" \
			test "$rc" = 0 -a "${unlisted:-0}" -gt 0 -a "${seen:-0}" -ge 8000
	else
		check "-t 0: each snapshot lists its interval's queries, once; they add up to seen" \
			test "$rc" = 0 -a "${unlisted:-1}" = 0 -a "${seen:-0}" -ge 8000
	fi
done

# --- prepared statements: their text, with placeholders, marked prepared ----------------------
# A statement prepared (SQL PREPARE) before ktop starts, executed after: said and counted.
mkfifo "$work/early.fifo"
mariadb --no-defaults -S "$ms" -u root -N -B -n <"$work/early.fifo" >"$work/early.out" 2>&1 &
pids+=("$!")
exec 7>"$work/early.fifo"
echo "PREPARE early FROM 'SELECT SLEEP(?) AS prep_early'; SELECT 'early_ready';" >&7
wait_for 10 grep -q early_ready "$work/early.out" || note "the early session: $(cat "$work/early.out")"
ktop_sql p -t 0 -d 0.5 -n 120 --max-queries 100000
wait_ktop 5 q traced "$work/p.json" "$m1"
echo "SET @a = 0.12; EXECUTE early USING @a; SELECT 'early_done';" >&7
db_mysql "$ms" "PREPARE late FROM 'SELECT SLEEP(?) AS prep_late'; SET @b = 0.11;
	EXECUTE late USING @b; EXECUTE late USING @b; DEALLOCATE PREPARE late" >/dev/null
db_mysql "$ms" "CREATE DATABASE IF NOT EXISTS sbtest" >/dev/null
sb=(sysbench oltp_point_select --mysql-socket="$ms" --mysql-user=root --mysql-db=sbtest
	--tables=1 --table-size=1000 --db-ps-mode=auto --threads=2)
"${sb[@]}" prepare >"$work/sb.out" 2>&1 || note "sysbench prepare: $(tail -3 "$work/sb.out")"
"${sb[@]}" --events=2000 --time=0 run >>"$work/sb.out" 2>&1 ||
	note "sysbench run: $(tail -3 "$work/sb.out")"
fp_sb='^select c from sbtest1 where id=\?$'
wait_ktop 5 digest_at_least "$work/p.json" "$fp_sb" 2000
ktop_stop
exec 7>&-
note "sysbench: $(q count "$work/p.json" "^SELECT c FROM sbtest1 WHERE id=\?$") point selects" \
	"listed with their prepared text, $(q digest "$work/p.json" "$fp_sb") in its digest row;" \
	"statements prepared before start $(q drop "$work/p.json" statements_prepared_before_start)"
check "sysbench's prepared point selects show their text with placeholders, marked prepared" \
	eval 'q_count_is "$work/p.json" "^SELECT c FROM sbtest1 WHERE id=\?$" 2000 &&
		q prepared "$work/p.json" "^SELECT c FROM sbtest1 WHERE id=\?$"'
check "and the digest groups them by that text" digest_at_least "$work/p.json" "$fp_sb" 2000
check "no execution left as a statement number" no_query "$work/p.json" "^\[prepared"
check "SQL PREPARE and EXECUTE: both executions show the prepared text" \
	eval 'q_count_is "$work/p.json" "^SELECT SLEEP\(\?\) AS prep_late$" 2 &&
		q prepared "$work/p.json" "^SELECT SLEEP\(\?\) AS prep_late$"'
lat=$(q latency "$work/p.json" "^SELECT SLEEP\(\?\) AS prep_late$")
check "with their latency (within 20% of 110 ms)" within "${lat:-0}" 110 20
check "the point selects name their database (sbtest)" \
	field_is "$work/p.json" "^SELECT c FROM sbtest1 WHERE id=\\?$" database sbtest
check "a statement prepared before ktop started keeps its EXECUTE text" \
	q has "$work/p.json" "^EXECUTE early USING @a$"
check "and is counted" test "$(q drop "$work/p.json" statements_prepared_before_start)" -ge 1

# --- the database and the user a query ran as -------------------------------------------------
db_psql "$ps" "CREATE USER bob" >/dev/null
db_psql "$ps" "CREATE DATABASE shopdb OWNER bob" >/dev/null
db_mysql "$ms" "CREATE DATABASE shop; CREATE USER bob@localhost; GRANT ALL ON shop.* TO bob@localhost" \
	>/dev/null
ktop_sql u -t 50 -d 0.5 -n 60
psql -X -q -A -t -h "$ps" -U bob -d shopdb -c "SELECT pg_sleep(0.1) AS in_shopdb" >/dev/null
mariadb --no-defaults -S "$ms" -u bob -N -B shop -e "SELECT SLEEP(0.1) AS in_shop" >/dev/null
db_mysql "$ms" "USE shop; SELECT SLEEP(0.1) AS after_use" >/dev/null
db_mysql "$ms" "SELECT SLEEP(0.1) AS no_db" >/dev/null
wait_ktop 5 q has "$work/u.json" "AS no_db"
ktop_stop
check "PostgreSQL: a query names the database it ran in and its user" \
	eval 'field_is "$work/u.json" "AS in_shopdb" database shopdb &&
		field_is "$work/u.json" "AS in_shopdb" user bob'
check "MariaDB: the database a connection logged in to" field_is "$work/u.json" "AS in_shop$" database shop
check "and the user it logged in as" field_is "$work/u.json" "AS in_shop$" user bob
check "and one chosen with USE, by another user" \
	eval 'field_is "$work/u.json" "AS after_use" database shop &&
		field_is "$work/u.json" "AS after_use" user root'
check "a later connection without one (the same THD reused) names none" \
	field_is "$work/u.json" "AS no_db" database ""

# --- PostgreSQL COMMITs with a deferred trigger sleeping 50 ms, through every protocol ----------
db_psql "$ps" "CREATE TABLE dtrig (v int);
	CREATE FUNCTION dtrig_sleep() RETURNS trigger LANGUAGE plpgsql
		AS \$\$ BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END \$\$;
	CREATE CONSTRAINT TRIGGER dtrig_t AFTER INSERT ON dtrig DEFERRABLE INITIALLY DEFERRED
		FOR EACH ROW EXECUTE FUNCTION dtrig_sleep();" >/dev/null
ktop_sql k -t 30 -d 0.5 -n 120
for mode in simple extended prepared; do
	db_pg_extended "$ps" "$mode" 3 "$(printf 'BEGIN;\nINSERT INTO dtrig VALUES (1);\nCOMMIT;')" ||
		not_ok "pgbench -M $mode with the deferred trigger"
done
wait_ktop 5 q_count_is "$work/k.json" "^COMMIT" 9
ktop_stop
note "COMMITs with a 50 ms deferred trigger (simple, extended, prepared): $(q latencies \
	"$work/k.json" "^COMMIT") ms"
check "the 9 COMMITs of pgbench -M simple, extended and prepared are all reported" \
	q_count_is "$work/k.json" "^COMMIT" 9
check "each with its deferred trigger's 50 ms" \
	eval '! q latencies "$work/k.json" "^COMMIT" | tr " " "\n" | awk "\$1 < 45 || \$1 > 150" | grep -q .'

# --- a restart, a second server of each kind ----------------------------------------------------
ktop_sql c -t 50 -d 0.5 -n 400
check "the MariaDB server is traced before its restart" wait_ktop 5 q traced "$work/c.json" "$m1"
db_stop "$m1"
check "a stopped server is dropped from the list" wait_ktop 5 not_listed "$work/c.json" "$m1"
db_mariadb_start m1 || not_ok "restart MariaDB"
m1b=$db_pid
# at once: the server is attached at its exec, not at the next scan of /proc
db_mysql "$ms" "SELECT SLEEP(0.06) AS first_after_restart" >/dev/null
check "the restarted server is traced again within 3 s" wait_ktop 3 q traced "$work/c.json" "$m1b"
check "and the first query sent the moment it accepts connections is reported" \
	wait_ktop 3 q has "$work/c.json" "AS first_after_restart"
db_mysql "$ms" "SELECT SLEEP(0.2) AS after_restart" >/dev/null
db_mariadb_start m2 --thread-handling=pool-of-threads || not_ok "start a second MariaDB"
m2=$db_pid
ms2=$db_sock
db_pg_start p2 || not_ok "start a second PostgreSQL"
p2=$db_pid
ps2=$db_sock
check "a second MariaDB (thread pool) is traced too" wait_ktop 3 q traced "$work/c.json" "$m2"
check "a second PostgreSQL too" wait_ktop 3 q traced "$work/c.json" "$p2"
check "the first PostgreSQL is still traced" q traced "$work/c.json" "$p1"
db_mysql "$ms2" "SELECT SLEEP(0.2) AS second_mysql" >/dev/null
db_psql "$ps2" "SELECT pg_sleep(0.2) AS second_pg" >/dev/null
wait_ktop 5 q has "$work/c.json" second_pg
ktop_stop
check "a query after the restart is reported" field_is "$work/c.json" after_restart pid "$m1b"
check "a query on the second MariaDB is reported" field_is "$work/c.json" second_mysql pid "$m2"
check "a query on the second PostgreSQL is reported" \
	q has "$work/c.json" "pg_sleep\(0.2\) AS second_pg"

# --- the thread pool: a query it suspends and resumes is reported once -------------------------
# (autocommit INSERTs on a pool-of-threads server: InnoDB lets the pool suspend a statement while
# its commit waits for the redo log, and dispatch_command runs again for the same query)
ktop_sql e -t 0 -d 0.5 -n 60 --db "$m2"
db_pool_inserts "$ms2" 400 || not_ok "400 INSERTs on the thread-pool MariaDB"
wait_ktop 5 q_count_is "$work/e.json" "^INSERT INTO pool.t" 400
ktop_stop
note "thread pool: $(q count "$work/e.json" "^INSERT INTO pool.t") INSERTs reported"
check "400 INSERTs on the thread-pool server are reported once each" \
	q_count_is "$work/e.json" "^INSERT INTO pool.t" 400

# --- -p: one server only (a postmaster covers its backends); --db names the servers --------------
ktop_sql d -t 50 -d 0.5 -n 40 -p "$p1"
db_mysql "$ms" "SELECT SLEEP(0.1) AS filtered_out" >/dev/null
db_psql "$ps" "SELECT pg_sleep(0.1) AS kept" >/dev/null
wait_ktop 5 q has "$work/d.json" "AS kept"
ktop_stop
check "-p POSTMASTER reports its backends' queries" q has "$work/d.json" "AS kept"
check "and not another server's" no_query "$work/d.json" filtered_out

ktop_sql e -t 50 -d 0.5 -n 4 --db "$m2" --db "$p2"
wait "$ktop_pid"
while read -r l; do note "--db $m2 --db $p2: $l"; done < <(q servers "$work/e.json")
check "--db PID lists the MariaDB named, traced" q traced "$work/e.json" "$m2"
check "and the PostgreSQL named" q traced "$work/e.json" "$p2"
check "and no other server" eval "not_listed '$work/e.json' $p1 && not_listed '$work/e.json' $m1b"

# --db with a PostgreSQL auxiliary process: its postmaster (and so every backend) is traced
aux=$(ps -o pid= --ppid "$p2" | head -1 | tr -d ' ')
ktop_sql f -t 50 -d 0.5 -n 40 --db "$aux"
wait_ktop 5 q traced "$work/f.json" "$p2"
db_psql "$ps2" "SELECT pg_sleep(0.1) AS via_aux" >/dev/null
wait_ktop 5 q has "$work/f.json" "AS via_aux"
ktop_stop
while read -r l; do note "--db $aux (a child of $p2): $l"; done < <(q servers "$work/f.json")
check "--db with a postmaster's child traces that postmaster, and says why" \
	servers_match "$work/f.json" "^$p2 pg True .*for --db $aux"
check "and a backend's query is reported" q has "$work/f.json" "AS via_aux"

# --db with processes that are no database servers: each says what it is
sleep 30 &
idle=$!
pids+=("$idle")
ktop_sql g -t 50 -d 0.5 -n 2 --db 1 --db 2 --db "$idle"
wait "$ktop_pid"
while read -r l; do note "--db 1 --db 2 --db $idle: $l"; done < <(q servers "$work/g.json")
check "--db 1 does not call it not running" \
	eval "servers_match '$work/g.json' '^1 .* False .*process 1 (' ||
		servers_match '$work/g.json' '^1 .* False .*not a database server'"
check "--db with a kernel thread says so" \
	servers_match "$work/g.json" "^2 .* False .*process 2 (kthreadd) is a kernel thread"
check "--db with a running program that is no server says so" \
	servers_match "$work/g.json" "^$idle .* False .*not a database server: .*sleep"
kill "$idle" 2>/dev/null

check "no BPF program of the collector is left loaded" wait_for 3 no_sql_progs
finish
