// SPDX-License-Identifier: GPL-2.0
#include "record/record_frame.h"

#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "record/record_file.h"
#include "util/xalloc.h"

/* Make room for need more bytes in a growing buffer. */
static void grow(uint8_t **buf, size_t *cap, size_t used, size_t need)
{
	size_t cap2 = *cap ? *cap : 4096;

	while (cap2 - used < need)
		cap2 *= 2;
	if (cap2 != *cap) {
		*buf = xreallocarray(*buf, cap2, 1);
		*cap = cap2;
	}
}

void record_frame_clear(struct record_frame *f)
{
	f->raw_len = 0;
	f->packed_len = 0;
}

void record_frame_free(struct record_frame *f)
{
	ZSTD_freeCCtx(f->cctx);
	free(f->raw);
	free(f->packed);
	memset(f, 0, sizeof(*f));
}

int record_frame_add(struct record_frame *f, uint16_t kind, const char *name, const void *data,
		     size_t len)
{
	size_t name_len = strlen(name);
	uint8_t *p;

	if (name_len > RECORD_NAME_MAX)
		return -EINVAL;
	if (len > RECORD_MAX_RAW || f->raw_len + RECORD_SECTION_HEADER_LEN + name_len + len >
					    RECORD_MAX_RAW)
		return -EFBIG;
	grow(&f->raw, &f->raw_cap, f->raw_len, RECORD_SECTION_HEADER_LEN + name_len + len);
	p = f->raw + f->raw_len;
	record_put_u16(p, kind);
	record_put_u16(p + 2, (uint16_t)name_len);
	record_put_u32(p + 4, (uint32_t)len);
	memcpy(p + RECORD_SECTION_HEADER_LEN, name, name_len);
	if (len)
		memcpy(p + RECORD_SECTION_HEADER_LEN + name_len, data, len);
	f->raw_len += RECORD_SECTION_HEADER_LEN + name_len + len;
	return 0;
}

/* The section stream's writes: appended to the raw sections. */
static ssize_t section_write(void *cookie, const char *buf, size_t len)
{
	struct record_frame *f = cookie;

	if (f->raw_len + len > RECORD_MAX_RAW) {
		f->open_err = -EFBIG;
		errno = EFBIG;
		return -1;
	}
	grow(&f->raw, &f->raw_cap, f->raw_len, len);
	memcpy(f->raw + f->raw_len, buf, len);
	f->raw_len += len;
	return (ssize_t)len;
}

FILE *record_frame_section_begin(struct record_frame *f, uint16_t kind, const char *name)
{
	static const cookie_io_functions_t io = { .write = section_write };
	size_t name_len = strlen(name);
	FILE *s;

	if (name_len > RECORD_NAME_MAX || f->raw_len + RECORD_SECTION_HEADER_LEN + name_len >
						  RECORD_MAX_RAW) {
		errno = name_len > RECORD_NAME_MAX ? EINVAL : EFBIG;
		return NULL;
	}
	f->open_at = f->raw_len;
	f->open_err = 0;
	grow(&f->raw, &f->raw_cap, f->raw_len, RECORD_SECTION_HEADER_LEN + name_len);
	record_put_u16(f->raw + f->raw_len, kind);
	record_put_u16(f->raw + f->raw_len + 2, (uint16_t)name_len);
	record_put_u32(f->raw + f->raw_len + 4, 0);
	memcpy(f->raw + f->raw_len + RECORD_SECTION_HEADER_LEN, name, name_len);
	f->raw_len += RECORD_SECTION_HEADER_LEN + name_len;
	s = fopencookie(f, "w", io);
	if (!s) {
		f->raw_len = f->open_at;
		return NULL;
	}
	__fsetlocking(s, FSETLOCKING_BYCALLER); /* one writer: no lock taken per character */
	return s;
}

int record_frame_section_end(struct record_frame *f, FILE *s, bool ok)
{
	int err = fclose(s) ? -errno : 0;
	size_t data_at;

	if (f->open_err)
		err = f->open_err;
	if (!ok && !err)
		err = -EIO;
	if (err) {
		f->raw_len = f->open_at;
		return err;
	}
	data_at = f->open_at + RECORD_SECTION_HEADER_LEN + record_get_u16(f->raw + f->open_at + 2);
	record_put_u32(f->raw + f->open_at + 4, (uint32_t)(f->raw_len - data_at));
	return 0;
}

int record_frame_set_raw(struct record_frame *f, const void *raw, size_t len)
{
	if (len > RECORD_MAX_RAW)
		return -EFBIG;
	record_frame_clear(f);
	grow(&f->raw, &f->raw_cap, 0, len ? len : 1);
	if (len)
		memcpy(f->raw, raw, len);
	f->raw_len = len;
	return 0;
}

int record_frame_pack(struct record_frame *f, int level, const void *prefix, size_t prefix_len,
		      char *why, size_t why_len)
{
	size_t bound = ZSTD_compressBound(f->raw_len);
	size_t n;

	if (!f->cctx)
		f->cctx = ZSTD_createCCtx();
	if (!f->cctx) {
		snprintf(why, why_len, "zstd: no memory for a compression context");
		return -ENOMEM;
	}
	grow(&f->packed, &f->packed_cap, 0, bound);
	n = ZSTD_CCtx_setParameter(f->cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(n))
		n = ZSTD_CCtx_setParameter(f->cctx, ZSTD_c_contentSizeFlag, 1);
	/* the content's own checksum: an interval decoded on the wrong prefix is caught */
	if (!ZSTD_isError(n))
		n = ZSTD_CCtx_setParameter(f->cctx, ZSTD_c_checksumFlag, 1);
	if (!ZSTD_isError(n))
		n = ZSTD_CCtx_refPrefix(f->cctx, prefix, prefix ? prefix_len : 0);
	if (!ZSTD_isError(n))
		n = ZSTD_compress2(f->cctx, f->packed, f->packed_cap, f->raw, f->raw_len);
	if (ZSTD_isError(n)) {
		snprintf(why, why_len, "zstd: %s", ZSTD_getErrorName(n));
		ZSTD_CCtx_reset(f->cctx, ZSTD_reset_session_and_parameters);
		return -EIO;
	}
	if (n > RECORD_MAX_STORED) {
		snprintf(why, why_len, "an interval of %zu bytes is too big to record", n);
		return -EFBIG;
	}
	f->packed_len = n;
	return 0;
}

int record_frame_unpack(const void *stored, size_t stored_len, size_t raw_len, const void *prefix,
			size_t prefix_len, uint8_t **out, char *why, size_t why_len)
{
	unsigned long long said = ZSTD_getFrameContentSize(stored, stored_len);
	ZSTD_DCtx *dctx;
	uint8_t *buf;
	size_t n;

	*out = NULL;
	if (said == ZSTD_CONTENTSIZE_ERROR || said == ZSTD_CONTENTSIZE_UNKNOWN ||
	    said != raw_len) {
		snprintf(why, why_len, "the zstd frame does not hold the %zu bytes the header says",
			 raw_len);
		return -EBADMSG;
	}
	dctx = ZSTD_createDCtx();
	if (!dctx) {
		snprintf(why, why_len, "zstd: no memory for a decompression context");
		return -ENOMEM;
	}
	buf = xmalloc(raw_len ? raw_len : 1);
	n = ZSTD_DCtx_refPrefix(dctx, prefix, prefix ? prefix_len : 0);
	if (!ZSTD_isError(n))
		n = ZSTD_decompressDCtx(dctx, buf, raw_len, stored, stored_len);
	ZSTD_freeDCtx(dctx);
	if (ZSTD_isError(n) || n != raw_len) {
		snprintf(why, why_len, "zstd: %s",
			 ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short payload");
		free(buf);
		return -EBADMSG;
	}
	*out = buf;
	return 0;
}

int record_frame_next(const uint8_t *raw, size_t len, size_t *pos, struct record_section *s,
		      char *why, size_t why_len)
{
	size_t at = *pos, name_len, data_len;

	if (at >= len)
		return 0;
	if (len - at < RECORD_SECTION_HEADER_LEN) {
		snprintf(why, why_len, "section at payload byte %zu: cut short", at);
		return -EBADMSG;
	}
	s->kind = record_get_u16(raw + at);
	name_len = record_get_u16(raw + at + 2);
	data_len = record_get_u32(raw + at + 4);
	if (name_len > RECORD_NAME_MAX ||
	    len - at - RECORD_SECTION_HEADER_LEN < name_len ||
	    len - at - RECORD_SECTION_HEADER_LEN - name_len < data_len) {
		snprintf(why, why_len, "section at payload byte %zu: lengths past the end", at);
		return -EBADMSG;
	}
	memcpy(s->name, raw + at + RECORD_SECTION_HEADER_LEN, name_len);
	s->name[name_len] = '\0';
	s->data = raw + at + RECORD_SECTION_HEADER_LEN + name_len;
	s->len = data_len;
	*pos = at + RECORD_SECTION_HEADER_LEN + name_len + data_len;
	return 1;
}

int record_frame_find(const uint8_t *raw, size_t len, uint16_t kind, const char *name,
		      struct record_section *s, char *why, size_t why_len)
{
	size_t pos = 0;
	int rc;

	while ((rc = record_frame_next(raw, len, &pos, s, why, why_len)) > 0)
		if (s->kind == kind && !strcmp(s->name, name))
			return 1;
	return rc;
}
