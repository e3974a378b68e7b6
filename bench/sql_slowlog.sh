#!/usr/bin/env bash
# What ktop times against what MariaDB's slow log says, on autocommit INSERTs that flush the
# redo log at each commit (innodb_flush_log_at_trx_commit=1, binary log off): a throwaway
# MariaDB on a loop device whose writes the blkio controller (cgroup v1) holds to IOPS a second,
# N INSERTs, then each query's latency in ktop (-t 0) against its Query_time in the slow log.
# Reports, asserts nothing. Needs root, cgroup v1 blkio, mariadb-server; leaves nothing behind.
#   bench/sql_slowlog.sh              # N=100 IOPS=50
#   IOPS=0 N=500 bench/sql_slowlog.sh # no throttle: the disk as it is
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
KTOP=${KTOP:-$top/build/ktop}
N=${N:-100}
IOPS=${IOPS:-50}
. "$top/tests/bpf/db.sh"
tmp=$(mktemp -d /tmp/ktop-slowlog.XXXXXX)
cg=/sys/fs/cgroup/blkio/ktop-slowlog-$$
loop=""
cleanup() {
	[ -n "${kp:-}" ] && kill "$kp" 2>/dev/null
	db_cleanup
	[ -d "$cg" ] && echo $$ >/sys/fs/cgroup/blkio/cgroup.procs 2>/dev/null
	umount "$tmp/mnt" 2>/dev/null
	[ -n "$loop" ] && losetup -d "$loop"
	[ -d "$cg" ] && rmdir "$cg"
	rm -rf "$tmp"
}
trap cleanup EXIT
truncate -s 512M "$tmp/disk.img"
loop=$(losetup -f --show "$tmp/disk.img") || exit 1
mkfs.ext4 -q "$loop" && mkdir -p "$tmp/mnt" && mount "$loop" "$tmp/mnt" || exit 1
if [ "$IOPS" != 0 ]; then
	# the server inherits the cgroup from this shell, which leaves it once the server runs
	mkdir "$cg" || exit 1
	echo "$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ') $IOPS" >"$cg/blkio.throttle.write_iops_device"
	echo $$ >"$cg/cgroup.procs"
fi
db_root=$tmp/mnt/db
mkdir -p "$db_root" && chmod 755 "$db_root"
db_mariadb_start s --slow-query-log=1 --long-query-time=0 --slow-query-log-file="$tmp/slow.log" \
	--innodb-flush-log-at-trx-commit=1 || exit 1
[ -d "$cg" ] && echo $$ >/sys/fs/cgroup/blkio/cgroup.procs
db_mysql "$db_sock" "CREATE DATABASE f; CREATE TABLE f.t (id INT PRIMARY KEY AUTO_INCREMENT, v INT)"
"$KTOP" -b -P sql -t 0 -d 0.5 -f json --max-queries 100000 >"$tmp/k.json" 2>"$tmp/k.err" &
kp=$!
for ((i = 0; i < 100; i++)); do grep -q "tracing with" "$tmp/k.err" && break; sleep 0.1; done
for ((i = 1; i <= N; i++)); do echo "INSERT INTO f.t (v) VALUES ($i);"; done |
	mariadb --no-defaults -S "$db_sock" -u root -N -B
sleep 1.2 # one more snapshot (-d 0.5) after the last INSERT
kill -INT "$kp"
wait "$kp"
kp=""
python3 - "$tmp/k.json" "$tmp/slow.log" "$N" "$IOPS" <<'PY'
import json, re, statistics, sys
kjson, slow, n, iops = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ktop = {}
for line in open(kjson):
    for q in json.loads(line)["queries"]:
        m = re.match(r"INSERT INTO f\.t \(v\) VALUES \((\d+)\)", q["text"])
        if m:
            ktop[m.group(1)] = q["latency_ms"]
log = {}
for block in re.split(r"(?=# User@Host)", open(slow).read()):
    t = re.search(r"# Query_time: ([0-9.]+)", block)
    m = re.search(r"INSERT INTO f\.t \(v\) VALUES \((\d+)\)", block)
    if t and m:
        log[m.group(1)] = float(t.group(1)) * 1000
both = [(ktop[k], log[k]) for k in ktop if k in log]
diff = sorted(a - b for a, b in both)
print("%s INSERTs, writes held to %s a second: %d in ktop, %d in the slow log, %d in both" %
      (n, iops if iops != "0" else "no limit", len(ktop), len(log), len(both)))
if both:
    print("median latency: ktop %.3f ms, slow log %.3f ms; ktop - slow log: median %.3f ms,"
          " p90 %.3f ms, max %.3f ms" % (statistics.median(a for a, b in both),
          statistics.median(b for a, b in both), statistics.median(diff),
          diff[int(len(diff) * 0.9)], diff[-1]))
    print("at 10 ms or more: ktop %d, slow log %d" %
          (sum(a >= 10 for a, b in both), sum(b >= 10 for a, b in both)))
PY
