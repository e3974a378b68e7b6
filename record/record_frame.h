/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interval's payload: a list of sections, each a kind tag, the panel it belongs to and its
 * bytes; compressed with zstd into one frame. A reader skips kinds it does not know, so a
 * binary model per panel can be added beside the exports without a new format version.
 */
#ifndef KTOP_RECORD_FRAME_H
#define KTOP_RECORD_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RECORD_SECTION_HEADER_LEN 8 /* u16 kind, u16 name length, u32 data length */
#define RECORD_NAME_MAX 64

enum record_section_kind {
	RECORD_SECTION_JSON = 1,   /* what -b -f json printed: one line */
	RECORD_SECTION_TEXT = 2,   /* what -b -f text printed, 100 columns */
	RECORD_SECTION_FOLDED = 3, /* what -b -f folded printed (stack panels) */
	RECORD_SECTION_MODEL = 4,  /* the panel's model in binary, versioned inside (a replay
				    * redraws the live panel from it: core/model_section.h) */
};

/* A growing buffer of sections (raw), then its compressed form; owns both and its zstd state. */
struct record_frame {
	uint8_t *raw;
	size_t raw_len;
	size_t raw_cap;
	uint8_t *packed;
	size_t packed_len;
	size_t packed_cap;
	void *cctx; /* ZSTD_CCtx, kept from one interval to the next */
	size_t open_at; /* the section a stream is writing: its header's offset in raw */
	int open_err;   /* why that stream failed (-EFBIG), 0 if it did not */
};

/* A section as found in a raw payload: pointers into it, valid while it lives. */
struct record_section {
	uint16_t kind;
	char name[RECORD_NAME_MAX + 1];
	const uint8_t *data;
	size_t len;
};

/* Empty the sections (keeps the memory). */
void record_frame_clear(struct record_frame *f);
void record_frame_free(struct record_frame *f);
/* Append a section; 0 or -EINVAL (name too long) or -EFBIG (section too big). */
int record_frame_add(struct record_frame *f, uint16_t kind, const char *name, const void *data,
		     size_t len);
/*
 * Start a section written through a stream straight into the raw sections (no copy through
 * a temporary buffer, the memory kept from one interval to the next; not locked per call);
 * NULL with errno set. One at a time: end it with record_frame_section_end.
 */
FILE *record_frame_section_begin(struct record_frame *f, uint16_t kind, const char *name);
/*
 * Close the stream; keep the section when ok and all was written (0), else drop it and
 * return -errno (-EFBIG past RECORD_MAX_RAW).
 */
int record_frame_section_end(struct record_frame *f, FILE *s, bool ok);
/* Make the sections a copy of raw (len bytes of sections, as found in a payload); 0 or -EFBIG. */
int record_frame_set_raw(struct record_frame *f, const void *raw, size_t len);
/*
 * Compress the sections into f->packed (zstd at this level), with prefix (prefix_len bytes,
 * the previous interval's raw sections; NULL: none) as its history; 0 or -errno with why.
 */
int record_frame_pack(struct record_frame *f, int level, const void *prefix, size_t prefix_len,
		      char *why, size_t why_len);
/*
 * Decompress a stored payload of stored_len bytes that says it holds raw_len bytes into out
 * (a malloc'd buffer the caller frees), with the prefix it was packed with; 0 or -EBADMSG
 * with why.
 */
int record_frame_unpack(const void *stored, size_t stored_len, size_t raw_len, const void *prefix,
			size_t prefix_len, uint8_t **out, char *why, size_t why_len);
/*
 * The section at *pos of a raw payload, *pos moved past it: 1 with s filled, 0 at the end,
 * -EBADMSG with why (the offset in the payload) when a section runs past the end.
 */
int record_frame_next(const uint8_t *raw, size_t len, size_t *pos, struct record_section *s,
		      char *why, size_t why_len);
/* The first section of this kind for this panel, 1 when found, 0 if none, -EBADMSG. */
int record_frame_find(const uint8_t *raw, size_t len, uint16_t kind, const char *name,
		      struct record_section *s, char *why, size_t why_len);

#endif
