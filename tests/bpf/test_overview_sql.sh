#!/usr/bin/env bash
# The Overview's slow queries column on the real kernel: a MariaDB started by the test (unix
# socket in a temp dir, tests/bpf/db.sh) runs SELECT SLEEP(0.05) over and over; with the Slow
# queries collector running beside the Overview (-w records every panel, so batch starts it)
# the server's row shows slow queries per second in JSON, and a process that runs no query
# shows none. Without that collector (plain batch) the key is absent, not zero.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/db.sh"

cleanup() {
	kill_pids
	db_cleanup
	cleanup_test
}
trap cleanup EXIT

if [ ! -x "$DB_MARIADBD" ]; then
	ok "# SKIP no MariaDB at $DB_MARIADBD"
	finish
fi
db_mariadb_start ov || {
	not_ok "start MariaDB"
	finish
}
server=$db_pid
sock=$db_sock
# the load: 50 ms queries on one connection, well over the 10 ms threshold, until cleanup
(while :; do echo "SELECT SLEEP(0.05);"; done |
	mariadb --no-defaults -S "$sock" -u root -N -B >/dev/null 2>&1) &
pids+=($!)
note "MariaDB $server on $sock"

# sq_of FILE PID: the most slow queries per second of PID's row over the snapshots (or "absent").
sq_of() {
	python3 - "$1" "$2" <<'PY'
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
best = None
for line in open(path).read().splitlines():
    for p in json.loads(line)["processes"]:
        if p["pid"] == pid:
            if "slow_queries_s" not in p:
                print("absent")
                sys.exit(0)
            best = max(best or 0, p["slow_queries_s"])
if best is None:
    sys.exit("no row for %d" % pid)
print(best)
PY
}
if timeout 120 "$KTOP" -b -P overview -f json -d 1 -n 4 -p "$server,1" -w "$work/rec.ktop" \
	>"$work/sq.json" 2>"$work/err"; then
	sq=$(sq_of "$work/sq.json" "$server" 2>&1)
	note "the server's slow queries per second: $sq"
	check "the server's row shows its slow queries per second" \
		python3 -c "import sys; sys.exit(not float('$sq') > 0)"
	init=$(sq_of "$work/sq.json" 1 2>&1)
	check "a process that runs no query shows none ($init)" test "$init" = 0
else
	not_ok "ktop -b -P overview -w runs: $(tr '\n' ' ' <"$work/err")"
fi
if timeout 60 "$KTOP" -b -P overview -f json -d 1 -n 1 -p "$server" >"$work/plain.json" \
	2>"$work/err"; then
	plain=$(sq_of "$work/plain.json" "$server" 2>&1)
	check "plain batch (no Slow queries collector): no slow_queries_s ($plain)" \
		test "$plain" = absent
else
	not_ok "ktop -b -P overview runs: $(tr '\n' ' ' <"$work/err")"
fi
finish
