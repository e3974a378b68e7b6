#!/usr/bin/env bash
# Where a slow query's time went when it waits for the disk (issue 17): a MariaDB started here
# with its data directory on an ext4 loop device whose writes the block I/O controller holds to
# a few a second (cgroup v1 blkio throttling, else cgroup v2 io.max; skipped when neither is
# there), innodb_flush_log_at_trx_commit=1 and no binary log, so that each autocommit INSERT
# flushes the redo log before it answers:
#  - most INSERTs reported (over 20 ms) spend most of their time in io (or in lock within
#    their commit: a wait for another thread's flush of the same redo log); every one's
#    classes add up to its latency (5%);
#  - the slowest of those in io blocked most in its commit's redo log: its heaviest stack goes
#    through ha_commit_trans and the log's write (pwrite, O_DIRECT) or flush (fdatasync).
# The INSERTs' own block I/O (io_count) is not asserted: a bio the controller holds back is
# submitted later by the throttling worker, not by the query's thread (the notes print it).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/db.sh"

IOPS=8 # writes a second the loop device's writes are held to
cg=""  # the throttling cgroup made here, removed by cleanup_io
cg_top=""
mnt=$work/mnt
ktop_pid=""

cleanup_io() {
	[ -n "$ktop_pid" ] && kill "$ktop_pid" 2>/dev/null
	db_cleanup
	[ -n "$cg" ] && echo $$ >"$cg_top/cgroup.procs" 2>/dev/null
	mountpoint -q "$mnt" && umount "$mnt"
	[ -n "$cg" ] && [ -d "$cg" ] && rmdir "$cg"
}
trap 'cleanup_io; cleanup_test' EXIT

# The block I/O controller: v1 blkio (throttle files) or v2 (io in cgroup.controllers).
if [ -f /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device ]; then
	cg_top=/sys/fs/cgroup/blkio
elif grep -qw io /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	cg_top=/sys/fs/cgroup
else
	ok "# SKIP no block I/O throttling here (neither cgroup v1 blkio nor v2 io)"
	finish
fi

loop_new 1G || { not_ok "a loop device"; finish; }
mkfs.ext4 -q "$loop" && mkdir -p "$mnt" && mount "$loop" "$mnt" ||
	{ not_ok "an ext4 file system on $loop"; finish; }
majmin=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
cg=$cg_top/ktop-query-io-$$
mkdir "$cg" || { cg=""; not_ok "make the cgroup $cg_top/ktop-query-io-$$"; finish; }
if [ "$cg_top" = /sys/fs/cgroup/blkio ]; then
	echo "$majmin $IOPS" >"$cg/blkio.throttle.write_iops_device"
else
	echo "+io" >"$cg_top/cgroup.subtree_control" 2>/dev/null
	echo "$majmin wiops=$IOPS" >"$cg/io.max"
fi || { not_ok "hold $loop ($majmin) to $IOPS writes a second in $cg"; finish; }

# The server is made and started at the disk's speed, the table made and opened once (the
# first INSERT opens it), then the server is moved into the cgroup.
db_root=$mnt/db
mkdir -p "$db_root" && chmod 755 "$db_root"
db_mariadb_start io --innodb-flush-log-at-trx-commit=1 ||
	{ not_ok "start MariaDB on the loop device"; finish; }
db_mysql "$db_sock" "CREATE DATABASE f; CREATE TABLE f.t (id INT PRIMARY KEY AUTO_INCREMENT,
	v INT) ENGINE=InnoDB; INSERT INTO f.t (v) VALUES (0)" || not_ok "create the table"
echo "$db_pid" >"$cg/cgroup.procs" || { not_ok "move the server into $cg"; finish; }

"$KTOP" -b -P sql -f json -t 20 -d 0.5 -n 120 --db "$db_pid" >"$work/io.json" 2>"$work/io.err" &
ktop_pid=$!
wait_for 30 eval 'grep -qs "ktop: sql: tracing with" "$work/io.err" || ! kill -0 $ktop_pid'
grep -qs "waits by class" "$work/io.err" || note "ktop: $(head -3 "$work/io.err")"
for ((i = 1; i <= 12; i++)); do echo "INSERT INTO f.t (v) VALUES ($i);"; done |
	mariadb --no-defaults -S "$db_sock" -u root || not_ok "12 INSERTs"
# the last INSERT's record, then a snapshot after it
wait_for 20 eval '[ "$(grep -o "INSERT INTO f.t" "$work/io.json" | wc -l)" -ge 1 ]'
sleep 1.2
kill -INT "$ktop_pid"
wait "$ktop_pid"
ktop_pid=""

# The INSERTs reported: how many, how many mostly io (or lock in the commit), whether all add
# up, and the slowest io one's latency, share, io_count and heaviest stack.
read -r n n_io sums lat share io_count stack < <(python3 - "$work/io.json" <<'EOF'
import json, sys
CLASSES = ["cpu", "runq", "io", "lock", "net", "sleep", "poll", "other"]
qs = {}
for line in open(sys.argv[1]):
    if line.strip():
        for q in json.loads(line).get("queries", []):
            if q["text"].startswith("INSERT INTO f.t"):
                qs[q["seq"]] = q
def frames(q):
    st = q.get("stacks") or [{"frames": []}]
    return [f["name"] for f in st[0]["frames"]]
def largest(q):
    w = q.get("waits_ms", {})
    return max(CLASSES, key=lambda c: w.get(c, 0))
def flush_wait(q):
    c = largest(q)
    return c == "io" or (c == "lock" and any("ha_commit_trans" in f for f in frames(q)))
def adds_up(q):
    w = q.get("waits_ms", {})
    return abs(sum(w.get(c, 0) for c in CLASSES) - q["latency_ms"]) <= \
        max(0.05 * q["latency_ms"], 0.01)
io = [q for q in qs.values() if largest(q) == "io"]
top = max(io, key=lambda q: q["latency_ms"]) if io else None
print(len(qs), sum(1 for q in qs.values() if flush_wait(q)),
      "yes" if qs and all(adds_up(q) for q in qs.values()) else "no",
      "%.1f" % top["latency_ms"] if top else "-",
      "%.0f" % (100 * top["waits_ms"]["io"] / max(top["latency_ms"], 1e-9)) if top else "-",
      top["waits_ms"].get("io_count", 0) if top else "-",
      ";".join(frames(top)).replace(" ", "_") if top and frames(top) else "-")
EOF
)
note "INSERTs over 20 ms: ${n:-?}, mostly io (or lock in the commit): ${n_io:-?}"
note "the slowest mostly io: ${lat:-?} ms, io ${share:-?}%, io_count ${io_count:-?}"
note "its heaviest stack from the commit in: ${stack##*ha_commit_trans}"
check "INSERTs waiting for their redo-log flush on a slow disk are reported (3 or more)" \
	test "${n:-0}" -ge 3
check "  most of them spend most of their time in io (or lock within their commit)" \
	test $((2 * ${n_io:-0})) -ge "${n:-1}"
check "  every one's classes add up to its latency within 5%" test "${sums:-}" = yes
check "  the slowest in io blocked most in its commit's log write or flush" \
	eval '[[ "${stack:-}" == *ha_commit_trans* &&
		( "${stack:-}" == *fdatasync* || "${stack:-}" == *fsync* ||
		  "${stack:-}" == *pwrite* ) ]]'
finish
