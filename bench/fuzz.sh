#!/usr/bin/env bash
# Fuzz every parser of outside input for as long as asked (test.sh's fuzz tier gives each a
# few seconds). Crashes are kept in OUT (default /tmp/ktop-fuzz-out): fix each, then keep its
# input under tests/fuzz/regress/TARGET/.
# Usage: bench/fuzz.sh [SECONDS_PER_TARGET (default 300)] [TARGET...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
shift || true
"$top/scripts/setup.sh" --tests --build-dir "$top/build-fuzz" \
	--configure-flags "CC=clang --enable-fuzzing" >&2
exec bash "$top/tests/fuzz/run.sh" "$top/build-fuzz" "$seconds" "${OUT:-/tmp/ktop-fuzz-out}" "$@"
