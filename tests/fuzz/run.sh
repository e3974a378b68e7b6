#!/usr/bin/env bash
# Build the libFuzzer target of the recording reader with clang (ASan + UBSan) and run it for
# SECONDS (default 60) on a corpus seeded with a small recording made by the unit tests'
# writer. Not a test tier: run it by hand after changing record/. Usage:
#   tests/fuzz/run.sh [SECONDS]      (a crash leaves crash-* in the work directory, printed)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
work=$(mktemp -d /tmp/ktop-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2046 # pkg-config prints several words
clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I"$top" \
	-o "$work/fuzz" "$top/tests/fuzz/fuzz_record_reader.c" "$top"/record/record_file.c \
	"$top"/record/record_frame.c "$top"/record/record_reader.c "$top"/record/record_writer.c \
	"$top/util/xalloc.c" $(pkg-config --libs libzstd zlib)
mkdir "$work/corpus"
# seeds: a recording of a few intervals, written by ktop's own writer through a tiny driver
cat >"$work/seed.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "record/record_writer.h"
int main(int argc, char **argv)
{
	struct record_writer *w;
	struct record_frame f = { 0 };
	struct record_header h = { .interval_us = 1000000 };
	char why[256], json[64];

	(void)argc;
	if (record_writer_open(&w, argv[1], &h, why, sizeof(why)))
		return 1;
	for (int i = 0; i < 40; i++) {
		record_frame_clear(&f);
		snprintf(json, sizeof(json), "{\"interval\":%d}", i);
		record_frame_add(&f, RECORD_SECTION_JSON, "overview", json, strlen(json));
		record_frame_add(&f, RECORD_SECTION_TEXT, "overview", "text\n", 5);
		record_writer_append(w, &f, 1000000000ull * (uint64_t)(i + 1), why, sizeof(why));
	}
	record_frame_free(&f);
	return record_writer_close(w, why, sizeof(why)) != 0;
}
C
# shellcheck disable=SC2046
clang -g -D_GNU_SOURCE -I"$top" -o "$work/seed" "$work/seed.c" "$top"/record/record_file.c \
	"$top"/record/record_frame.c "$top"/record/record_writer.c "$top/util/xalloc.c" \
	$(pkg-config --libs libzstd zlib)
"$work/seed" "$work/corpus/seed.ktop"
head -c 2000 "$work/corpus/seed.ktop" >"$work/corpus/cut.ktop"
cd "$work"
if ! ./fuzz -max_total_time="$secs" -max_len=65536 corpus; then
	ls crash-* leak-* timeout-* 2>/dev/null | while read -r f; do
		cp "$f" /tmp/ && echo "fuzz_record_reader: kept /tmp/$f"
	done
	exit 1
fi
