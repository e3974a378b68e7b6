#!/usr/bin/env bash
# End to end: the interactive screen with --listen. /metrics is cumulative since start
# whatever the screen does: direct writes to a loop device are counted on, through the r key
# (which resets the panels' figures) and through a pause; the footer says where it serves;
# q leaves no listening socket behind.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

screen() { tm capture-pane -p -t ktop; }
screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen | grep -qF -- "$1"; }
# writes: ktop's cumulative count of writes to the loop device ("" until there is one).
writes() {
	curl -s -m 10 "$url" | awk -v s="ktop_bio_requests_total{disk=\"$loopname\",op=\"write\"}" \
		'$1 == s { print $2 }'
}
got=""
writes_are() {
	got=$(writes)
	[ "$got" = "$1" ]
}
# dd_writes N: N direct 4 KiB writes to the loop device.
dd_writes() { dd if=/dev/zero of="$loop" bs=4k count="$1" oflag=direct status=none; }

loop_new 64M || { not_ok "losetup"; finish; }
loopname=$(basename "$loop")
port=$(free_port)
url="http://127.0.0.1:$port/metrics"

tm -f /dev/null new-session -d -s ktop -x 120 -y 30 \
	"env -i PATH=$PATH HOME=$work TERM=screen-256color LANG=C.UTF-8 bash --norc --noprofile" ||
	{ not_ok "tmux"; finish; }
tm set-option -t ktop remain-on-exit on >/dev/null
tm send-keys -t ktop "clear; $KTOP -P bio -d 0.5 --listen $port; echo KTOP_EXIT=\$?" Enter
check "ktop starts on the Block I/O panel" wait_for 30 screen_has "Block I/O"
check "the footer says where /metrics is served" \
	wait_for 10 screen_has "serving http://127.0.0.1:$port/metrics"
served() { [ "$(curl -s -o /dev/null -m 10 -w '%{http_code}' "$url")" = 200 ]; }
check "/metrics answers on 127.0.0.1:$port" wait_for 30 served

dd_writes 200
if wait_for 30 writes_are 200; then ok "200 writes counted"; else not_ok "200 writes (got '$got')"; fi

tm send-keys -t ktop r
check "r resets the panel's counters" wait_for 10 screen_has "counters reset"
dd_writes 100
if wait_for 30 writes_are 300; then
	ok "after r, /metrics counts on: 300"
else
	not_ok "after r, /metrics counts on: 300 (got '$got')"
fi

tm send-keys -t ktop Space
check "Space pauses" wait_for 10 screen_has "PAUSED"
dd_writes 100
if wait_for 30 writes_are 400; then
	ok "while paused, /metrics counts on: 400"
else
	not_ok "while paused, /metrics counts on: 400 (got '$got')"
fi
tm send-keys -t ktop Space

tm send-keys -t ktop q
check "q exits 0" wait_for 15 screen_has "KTOP_EXIT=0"
gone() { ! ss -ltn "sport = :$port" | grep -q LISTEN; }
check "nothing listens on $port after q" wait_for 10 gone
finish
