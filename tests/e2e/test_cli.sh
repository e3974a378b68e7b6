#!/usr/bin/env bash
# The command line contract: help, version, one-line errors with exit 2, privilege check,
# batch snapshots (count, interval, JSON, text without escape codes) and safe -o files.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"


# one_line_error EXPECTED ARGS...: exit 2 and exactly one stderr line containing EXPECTED.
one_line_error() {
	local expect=$1 rc
	shift
	"$KTOP" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -qF -- "$expect" "$work/err" &&
		[ ! -s "$work/out" ] || { note "rc=$rc err=$(cat "$work/err")"; return 1; }
}

check "--help lists every option" eval '"$KTOP" --help | grep -q -- "--iterations" &&
	"$KTOP" --help | grep -q -- "--theme" && "$KTOP" --help | grep -q -- "--min-block"'
check "--version prints the version" eval '"$KTOP" --version | grep -qE "^ktop [0-9]+\.[0-9]+"'
check "a bad flag: one line, exit 2" one_line_error "unknown option" --bogus
check "a bad delay: one line naming -d, exit 2" one_line_error "-d: " -d abc
check "a bad format: one line naming -f, exit 2" one_line_error "-f: " -b -f xml
gone=$(sh -c 'echo $$') # a PID that just exited
check "a PID that does not exist: one line, exit 2" one_line_error "no process" -b -p "$gone"
check "a PID out of range: one line, exit 2" one_line_error "-p: " -b -p 999999999
check "an unknown panel: one line naming the panels, exit 2" one_line_error "panels: overview, offcpu" -P nosuch
check "an unknown theme: one line, exit 2" one_line_error "no theme" --theme nosuch -b -n 1
# ktop is run through sudo: what a file named on the command line holds stays out of messages,
# and what was typed reaches the terminal escaped.
printf 'header = red\nroot:secret-hash-42:19000\n' >"$work/shadow-like"
chmod 600 "$work/shadow-like"
check "a theme file that is not one: its line number, exit 2" \
	one_line_error "line 2" --theme "$work/shadow-like" -b -n 1
check "and not its text" eval '! grep -q secret-hash "$work/err"'
check "an escape sequence typed as an argument comes back escaped, on one line" \
	one_line_error 'x1b' -b $'\e]0;owned\a\n'
check "and holds no escape byte" eval '! grep -q $'"'"'\e'"'"' "$work/err"'
check "as nobody: needs root or CAP_BPF+CAP_PERFMON, exit 2" \
	eval 'setpriv --reuid=65534 --regid=65534 --clear-groups "$KTOP" -b -n 1 2>"$work/err";
	      [ $? = 2 ] && grep -q "needs root or CAP_BPF+CAP_PERFMON (running as uid 65534)" \
	      "$work/err"'

start=$(date +%s.%N)
"$KTOP" -b -P bio -d 0.5 -n 3 -f json >"$work/snap.json" 2>"$work/err"
rc=$?
end=$(date +%s.%N)
check "batch json exits 0" test "$rc" = 0
check "batch json: three snapshots, one JSON object per line, each about 0.5 s" \
	python3 - "$work/snap.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, len(lines)
for l in lines:
    d = json.loads(l)
    assert d["panel"] == "bio" and "disks" in d and "drops" in d, d.keys()
    assert 0.4 < d["interval_s"] < 0.7, d["interval_s"]
    assert d["mode"] in ("tp_btf", "raw_tp"), d["mode"]
PY
check "three 0.5 s snapshots take about 1.5 s" \
	python3 -c "import sys; t=$end-$start; sys.exit(0 if 1.4 < t < 3.5 else 1)"

"$KTOP" -b -P bio -d 0.2 -n 2 -f text >"$work/snap.txt" 2>/dev/null
check "batch text: the header and the panel, no escape codes" \
	eval 'grep -q "^ktop " "$work/snap.txt" && grep -q "usecs" "$work/snap.txt" &&
	      ! grep -q $'"'"'\x1b'"'"' "$work/snap.txt"'
check "batch text: two snapshots" test "$(grep -c '^ktop ' "$work/snap.txt")" = 2

"$KTOP" -b -d 0.2 -n 1 -f json -o "$work/out.json" 2>/dev/null
check "-o writes a new file, mode 0600" \
	eval 'test -s "$work/out.json" && test "$(stat -c %a "$work/out.json")" = 600'
check "-o refuses an existing file" one_line_error "File exists" -b -n 1 -o "$work/out.json"
ln -s "$work/elsewhere" "$work/link.json"
check "-o refuses a symlink" one_line_error "link.json" -b -n 1 -o "$work/link.json"
check "the symlink's target was not created" test ! -e "$work/elsewhere"
finish
