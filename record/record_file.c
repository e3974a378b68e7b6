// SPDX-License-Identifier: GPL-2.0
#include "record/record_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

uint32_t record_crc(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* zlib takes a uInt length: feed it in pieces */
	while (len) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

		crc = (uint32_t)crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
}

void record_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void record_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void record_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t record_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t record_get_u32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t record_get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static const char *const panel_bits[] = { "overview", "offcpu", "bio", "sql", "stacks", "trace" };

int record_panel_bit(const char *name)
{
	for (size_t i = 0; i < sizeof(panel_bits) / sizeof(panel_bits[0]); i++)
		if (!strcmp(panel_bits[i], name))
			return (int)i;
	return -1;
}

const char *record_panel_name(unsigned int b)
{
	return b < sizeof(panel_bits) / sizeof(panel_bits[0]) ? panel_bits[b] : NULL;
}

/* Copy a string field into its fixed slot, always NUL-terminated. */
static void put_text(uint8_t *p, size_t len, const char *s)
{
	size_t n = strnlen(s, len - 1);

	memset(p, 0, len);
	memcpy(p, s, n);
}

/* A fixed text slot back into a C string; its bytes are escaped by whoever shows them. */
static void get_text(char *s, const uint8_t *p, size_t len)
{
	memcpy(s, p, len);
	s[len - 1] = '\0';
}

void record_header_encode(const struct record_header *h, uint8_t out[RECORD_HEADER_LEN])
{
	memset(out, 0, RECORD_HEADER_LEN);
	memcpy(out, RECORD_MAGIC, 8);
	record_put_u16(out + 8, RECORD_VERSION);
	record_put_u16(out + 10, RECORD_HEADER_LEN);
	record_put_u32(out + 12, h->interval_us);
	record_put_u64(out + 16, h->start_ns);
	record_put_u64(out + 24, h->recording_id);
	record_put_u32(out + 32, h->segment);
	record_put_u32(out + 36, h->keep_s);
	put_text(out + 40, sizeof(h->host), h->host);
	put_text(out + 104, sizeof(h->kernel), h->kernel);
	put_text(out + 168, sizeof(h->ktop_version), h->ktop_version);
	record_put_u32(out + 184, h->panels);
	record_put_u32(out + 188, record_crc(0, out, 188));
}

int record_header_decode(const uint8_t in[RECORD_HEADER_LEN], struct record_header *h, char *why,
			 size_t why_len)
{
	memset(h, 0, sizeof(*h));
	if (memcmp(in, RECORD_MAGIC, 8)) {
		snprintf(why, why_len, "not a ktop recording (no KTOPREC magic at byte 0)");
		return -EBADMSG;
	}
	h->version = record_get_u16(in + 8);
	if (h->version != RECORD_VERSION || record_get_u16(in + 10) != RECORD_HEADER_LEN) {
		snprintf(why, why_len, "recording format version %u: this ktop reads version %u",
			 h->version, RECORD_VERSION);
		return -EPROTO;
	}
	if (record_get_u32(in + 188) != record_crc(0, in, 188)) {
		snprintf(why, why_len, "bad file header at byte offset 0: checksum mismatch");
		return -EBADMSG;
	}
	h->interval_us = record_get_u32(in + 12);
	h->start_ns = record_get_u64(in + 16);
	h->recording_id = record_get_u64(in + 24);
	h->segment = record_get_u32(in + 32);
	h->keep_s = record_get_u32(in + 36);
	get_text(h->host, in + 40, sizeof(h->host));
	get_text(h->kernel, in + 104, sizeof(h->kernel));
	get_text(h->ktop_version, in + 168, sizeof(h->ktop_version));
	h->panels = record_get_u32(in + 184);
	return 0;
}

void record_frame_header_encode(const struct record_frame_header *f,
				uint8_t out[RECORD_FRAME_HEADER_LEN])
{
	record_put_u32(out, RECORD_FRAME_MAGIC);
	record_put_u16(out + 4, f->kind);
	record_put_u16(out + 6, f->flags);
	record_put_u32(out + 8, f->stored_len);
	record_put_u32(out + 12, f->raw_len);
	record_put_u64(out + 16, f->time_ns);
	record_put_u64(out + 24, f->seq);
	record_put_u32(out + 32, f->payload_crc);
	record_put_u32(out + 36, record_crc(0, out, 36));
}

int record_frame_header_decode(const uint8_t in[RECORD_FRAME_HEADER_LEN],
			       struct record_frame_header *f, char *why, size_t why_len)
{
	memset(f, 0, sizeof(*f));
	if (record_get_u32(in) != RECORD_FRAME_MAGIC) {
		snprintf(why, why_len, "no frame magic");
		return -EBADMSG;
	}
	if (record_get_u32(in + 36) != record_crc(0, in, 36)) {
		snprintf(why, why_len, "frame header checksum mismatch");
		return -EBADMSG;
	}
	f->kind = record_get_u16(in + 4);
	f->flags = record_get_u16(in + 6);
	f->stored_len = record_get_u32(in + 8);
	f->raw_len = record_get_u32(in + 12);
	f->time_ns = record_get_u64(in + 16);
	f->seq = record_get_u64(in + 24);
	f->payload_crc = record_get_u32(in + 32);
	if (f->kind < RECORD_FRAME_INTERVAL || f->kind > RECORD_FRAME_END) {
		snprintf(why, why_len, "unknown frame kind %u", f->kind);
		return -EBADMSG;
	}
	if (f->flags & ~RECORD_FLAG_DELTA || (f->flags && f->kind != RECORD_FRAME_INTERVAL)) {
		snprintf(why, why_len, "unknown frame flags 0x%x", f->flags);
		return -EBADMSG;
	}
	if (f->stored_len > RECORD_MAX_STORED || f->raw_len > RECORD_MAX_RAW ||
	    (f->kind != RECORD_FRAME_INTERVAL && f->raw_len != f->stored_len)) {
		snprintf(why, why_len, "frame lengths out of bounds (%u stored, %u raw)",
			 f->stored_len, f->raw_len);
		return -EBADMSG;
	}
	return 0;
}
