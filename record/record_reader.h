/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a recording: the list of its intervals from the index frames of a cleanly closed
 * file, or by scanning frame headers when the file was cut (killed, full disk); the older half
 * of a --keep ring (FILE.prev) is joined in front. A damaged or cut frame ends the list: what
 * came before it stays readable and the damage is reported with its byte offset.
 */
#ifndef KTOP_RECORD_READER_H
#define KTOP_RECORD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/record_file.h"

struct record_reader;

/* Open path (and path.prev of the same ring); 0, or -errno with why when nothing is readable. */
int record_reader_open(struct record_reader **out, const char *path, char *why, size_t why_len);
void record_reader_close(struct record_reader *r);
/* The header of the newest file. */
const struct record_header *record_reader_header(const struct record_reader *r);
/* Intervals listed (for a ring, only those in its keep span). */
size_t record_reader_count(const struct record_reader *r);
uint64_t record_reader_time(const struct record_reader *r, size_t i);
/* The first interval at or after time_ns (record_reader_count when none). */
size_t record_reader_find(const struct record_reader *r, uint64_t time_ns);
/* Whether the listing stopped at a damaged or cut frame; why then names file and offset. */
bool record_reader_is_damaged(const struct record_reader *r, char *why, size_t why_len);
/*
 * The raw sections of interval i, decompressed into *raw (the caller frees); 0, or -EBADMSG
 * with why naming the file and the byte offset of the bad frame.
 */
int record_reader_load(struct record_reader *r, size_t i, uint8_t **raw, size_t *raw_len,
		       char *why, size_t why_len);

#endif
