/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a recording: one frame per interval, appended with one write so that a process
 * killed at any moment leaves every complete frame readable. With a keep span the recording is
 * a ring of two files: when FILE holds keep_s seconds it becomes FILE.prev (replacing the older
 * one) and a new FILE starts, so the two always hold at least the last keep_s seconds. With
 * a size bound instead, FILE becomes FILE.prev when it holds half of it: the two hold at most
 * the bound (and one interval), and at least half of it.
 */
#ifndef KTOP_RECORD_WRITER_H
#define KTOP_RECORD_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "record/record_file.h"
#include "record/record_frame.h"

struct record_writer;

/*
 * Create path (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600) and write its header from h (start_ns
 * and recording_id are filled here when 0). 0, or -errno with why naming the file.
 */
int record_writer_open(struct record_writer **out, const char *path,
		       const struct record_header *h, char *why, size_t why_len);
/*
 * record_writer_open on DIR/STEM.ktop, or DIR/STEM-1.ktop, -2, ... when the name is taken; the
 * path created goes to path. 0, or -errno with why.
 */
int record_writer_open_new(struct record_writer **out, const char *dir, const char *stem,
			   const struct record_header *h, char *path, size_t path_len, char *why,
			   size_t why_len);
/*
 * A recording of one interval (f at time_ns) in a new file DIR/STEM.ktop (as
 * record_writer_open_new), closed; 0, or -errno with why (nothing is left behind).
 */
int record_save_one(const char *dir, const char *stem, const struct record_header *h,
		    struct record_frame *f, uint64_t time_ns, char *path, size_t path_len,
		    char *why, size_t why_len);
/*
 * Append one interval: f is packed and written at time_ns. 0, or -errno with why; after an
 * error (a full disk) the file is cut back to its last whole frame and the writer refuses
 * more: close it.
 */
int record_writer_append(struct record_writer *w, struct record_frame *f, uint64_t time_ns,
			 char *why, size_t why_len);
/* Make the recording a ring of at most bytes (0: no size bound); before the first append. */
void record_writer_set_size_bound(struct record_writer *w, uint64_t bytes);
/* Intervals written since open (over every segment). */
uint64_t record_writer_frames(const struct record_writer *w);
/* Bytes written to the current file. */
uint64_t record_writer_bytes(const struct record_writer *w);
/* Write the last index and the end frame (unless broken) and close; 0 or -errno with why. */
int record_writer_close(struct record_writer *w, char *why, size_t why_len);

#endif
