/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recording format (ktop -w, ktop -r): a file header, then append-only frames. All
 * integers are little-endian; every header carries a CRC-32 so a reader can name the first
 * byte it cannot trust.
 *
 *   file header (RECORD_HEADER_LEN bytes): magic "KTOPREC\n", version, header length,
 *     interval, start time, recording id, segment number, --keep, host, kernel, ktop version,
 *     the panels recorded (--record; 0: all)
 *   frame header (RECORD_FRAME_HEADER_LEN bytes): magic "KFR1", kind, flags, stored length,
 *     raw length, time, sequence number, CRC of the stored payload, CRC of the frame header
 *   RECORD_FRAME_INTERVAL: a zstd frame holding one interval of every panel as sections
 *     (record_frame.h): each a kind tag, a panel name and bytes; unknown kinds are skipped.
 *     With RECORD_FLAG_DELTA it was compressed with the previous interval of the same file
 *     (its raw sections) as zstd's prefix: successive intervals differ little. The first
 *     interval of a file and every RECORD_KEY_EVERY-th are compressed alone, so reaching
 *     any interval decompresses at most RECORD_KEY_EVERY frames.
 *   RECORD_FRAME_INDEX: (raw) the previous index frame's offset, then (time, offset) of each
 *     interval frame since it; written every RECORD_INDEX_EVERY intervals and at the end
 *   RECORD_FRAME_END: (raw) the last index frame's offset; only a cleanly closed file has it
 */
#ifndef KTOP_RECORD_FILE_H
#define KTOP_RECORD_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORD_MAGIC "KTOPREC\n"
#define RECORD_VERSION 1
#define RECORD_HEADER_LEN 192
#define RECORD_FRAME_MAGIC 0x3152464bu /* "KFR1" */
#define RECORD_FRAME_HEADER_LEN 40
#define RECORD_INDEX_EVERY 256
#define RECORD_KEY_EVERY 32
#define RECORD_FLAG_DELTA 0x1u
#define RECORD_MAX_STORED (64u << 20) /* a frame bigger than this is damage, not data */
#define RECORD_MAX_RAW (256u << 20)

enum record_frame_kind {
	RECORD_FRAME_INTERVAL = 1,
	RECORD_FRAME_INDEX = 2,
	RECORD_FRAME_END = 3,
};

struct record_header {
	uint16_t version;
	uint32_t interval_us;
	uint64_t start_ns;      /* CLOCK_REALTIME when the recording (not this segment) began */
	uint64_t recording_id;  /* the same in every segment of one recording */
	uint32_t segment;       /* --keep: 0, 1, ... as the file rotates */
	uint32_t keep_s;        /* --keep: the span kept; 0: everything */
	char host[64];
	char kernel[64];
	char ktop_version[16];
	uint32_t panels;        /* --record: a bit per panel (record_panel_bit); 0: every panel */
};

struct record_frame_header {
	uint16_t kind;
	uint16_t flags;      /* RECORD_FLAG_DELTA */
	uint32_t stored_len; /* payload bytes after the header */
	uint32_t raw_len;    /* payload bytes once decompressed */
	uint64_t time_ns;    /* CLOCK_REALTIME of the interval's end */
	uint64_t seq;        /* interval frames: 0, 1, ... across segments */
	uint32_t payload_crc;
};

/* CRC-32 (zlib's) of len bytes, continuing from crc (0 to start). */
uint32_t record_crc(uint32_t crc, const void *buf, size_t len);
void record_put_u16(uint8_t *p, uint16_t v);
void record_put_u32(uint8_t *p, uint32_t v);
void record_put_u64(uint8_t *p, uint64_t v);
uint16_t record_get_u16(const uint8_t *p);
uint32_t record_get_u32(const uint8_t *p);
uint64_t record_get_u64(const uint8_t *p);

/*
 * The header's panel bits: a fixed list of panel names, each keeping its bit whatever the
 * order of the tabs; a new panel takes the next bit. The bit of name, or -1 when unknown.
 */
int record_panel_bit(const char *name);
/* The name of bit b, or NULL when this ktop knows none. */
const char *record_panel_name(unsigned int b);

void record_header_encode(const struct record_header *h, uint8_t out[RECORD_HEADER_LEN]);
/* Decode and check a file header; 0, or -EBADMSG/-EPROTO with the reason in why. */
int record_header_decode(const uint8_t in[RECORD_HEADER_LEN], struct record_header *h, char *why,
			 size_t why_len);
void record_frame_header_encode(const struct record_frame_header *f,
				uint8_t out[RECORD_FRAME_HEADER_LEN]);
/* Decode and check a frame header (magic, CRC, kind, bounds); 0 or -EBADMSG with why. */
int record_frame_header_decode(const uint8_t in[RECORD_FRAME_HEADER_LEN],
			       struct record_frame_header *f, char *why, size_t why_len);

#endif
