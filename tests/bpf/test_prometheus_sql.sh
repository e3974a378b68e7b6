#!/usr/bin/env bash
# /metrics and a real MariaDB (started by the test in a temp dir, on a unix socket): slow
# queries are counted by server and fingerprint ("select sleep(?)", never the query's own
# text), queries under the threshold are not, and the server's latency histogram holds every
# slow query once.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/db.sh"

cleanup() {
	kill_pids
	db_cleanup
	cleanup_test
}
trap cleanup EXIT

served() { [ "$(curl -s -o /dev/null -m 10 -w '%{http_code}' "$url")" = 200 ]; }
# sample SERIES: its value in a fresh scrape ("" when it is not there).
sample() { curl -s -m 10 "$url" | awk -v s="$1" 'index($0, s " ") == 1 { print $NF }' | head -1; }
# labeled_count: the slow queries counted under the sleep fingerprint of the server.
labeled_count() {
	sample "ktop_sql_slow_queries_total{server=\"$m1\",kind=\"mysql\",fingerprint=\"select sleep(?)\"}"
}
# hist_count: the server's slow query latency histogram's count.
hist_count() { sample "ktop_sql_slow_query_latency_seconds_count{server=\"$m1\",kind=\"mysql\"}"; }
got=""
count_is() {
	got=$("$1")
	[ "$got" = "$2" ]
}

db_mariadb_start m1 || { not_ok "start MariaDB"; finish; }
m1=$db_pid
ms=$db_sock
note "MariaDB $m1 on $ms"

"$KTOP" -b -P sql -d 0.5 -t 50 -f none --listen 127.0.0.1:0 2>"$work/ktop.err" &
pids+=("$!")
if ! wait_for 60 has_line "$work/ktop.err" "serving http://"; then
	not_ok "ktop serves /metrics"
	note "$(head -3 "$work/ktop.err")"
	finish
fi
url=$(grep -o 'http://[^ ]*/metrics' "$work/ktop.err" | head -1)
check "/metrics answers" wait_for 30 served

# Until ktop traces the server and the fingerprint has a series of its own (it gets one at the
# render after its first queries, which are counted under "[other]").
seen() {
	db_mysql "$ms" "SELECT SLEEP(0.06)" >/dev/null
	[ -n "$(labeled_count)" ]
}
check "a slow SELECT SLEEP gets a fingerprint series of its own" wait_for 60 seen
# The baseline once the last of those queries is in (the exposition is rendered each 0.5 s
# interval: the series may show before the interval that holds seen()'s last query).
settled() {
	local a b
	a=$(labeled_count)
	sleep 1.5
	b=$(labeled_count)
	[ -n "$a" ] && [ "$a" = "$b" ]
}
wait_for 30 settled
base=$(labeled_count)
hbase=$(hist_count)
note "before: $base under the fingerprint, $hbase in the histogram"

for i in 1 2 3 4 5; do db_mysql "$ms" "SELECT SLEEP(0.1)" >/dev/null; done
for i in 1 2 3; do db_mysql "$ms" "SELECT SLEEP(0.07)" >/dev/null; done
for i in 1 2 3 4 5 6 7 8 9 10; do db_mysql "$ms" "SELECT SLEEP(0.001)" >/dev/null; done
want=$((base + 8))
if wait_for 30 count_is labeled_count "$want"; then
	ok "8 slow queries more under fingerprint=\"select sleep(?)\" ($want); the 10 fast ones not"
else
	not_ok "8 slow queries more under the fingerprint: want $want, got '$got'"
fi
hwant=$((hbase + 8))
if wait_for 30 count_is hist_count "$hwant"; then
	ok "the server's latency histogram counts them once ($hwant)"
else
	not_ok "the server's latency histogram: want $hwant, got '$got'"
fi
curl -s -m 10 "$url" >"$work/metrics.txt"
check "no label holds a query's literal (0.1, 0.07)" \
	eval '! grep -E "^ktop_sql.*(0\.1|0\.07)[^0-9]*\"" "$work/metrics.txt"'
sum=$(awk -v s="ktop_sql_slow_query_seconds_total{server=\"$m1\",kind=\"mysql\",fingerprint=\"select sleep(?)\"}" \
	'index($0, s " ") == 1 { print $NF }' "$work/metrics.txt")
note "time under the fingerprint: ${sum:-none} s"
check "its time is at least the 0.71 s slept since the baseline" \
	python3 -c "import sys; sys.exit(0 if float('${sum:-0}') >= 0.71 else 1)"
finish
