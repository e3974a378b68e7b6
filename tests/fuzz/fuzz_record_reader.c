// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer target for record/'s reader: the input is a recording file. It is listed (index
 * or scan), every interval is loaded, its sections walked and its Off-CPU, Stacks, Slow
 * queries and Trace models decoded; nothing may crash, leak or read out of bounds (configure
 * CC=clang --enable-fuzzing; test.sh's fuzz tier runs it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/model_section.h"
#include "record/record_frame.h"
#include "record/record_reader.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("ktop-fuzz", MFD_CLOEXEC);
	struct record_reader *r;
	char path[64], why[512];

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!record_reader_open(&r, path, why, sizeof(why))) {
		for (size_t i = 0; i < record_reader_count(r); i++) {
			struct record_section s;
			void *model;
			uint8_t *raw;
			size_t len, pos = 0;

			if (record_reader_load(r, i, &raw, &len, why, sizeof(why)))
				continue;
			while (record_frame_next(raw, len, &pos, &s, why, sizeof(why)) > 0)
				;
			/* the models, as a replay decodes them */
			if (model_section_load(raw, len, "offcpu", &model, why, sizeof(why)) == 1)
				model_section_free("offcpu", model);
			if (model_section_load(raw, len, "stacks", &model, why, sizeof(why)) == 1)
				model_section_free("stacks", model);
			if (model_section_load(raw, len, "sql", &model, why, sizeof(why)) == 1)
				model_section_free("sql", model);
			if (model_section_load(raw, len, "trace", &model, why, sizeof(why)) == 1)
				model_section_free("trace", model);
			if (model_section_load(raw, len, "overview", &model, why, sizeof(why)) == 1)
				model_section_free("overview", model);
			if (model_section_load(raw, len, "bio", &model, why, sizeof(why)) == 1)
				model_section_free("bio", model);
			free(raw);
		}
		record_reader_find(r, 1);
		record_reader_is_damaged(r, why, sizeof(why));
		record_reader_close(r);
	}
	close(fd);
	return 0;
}
