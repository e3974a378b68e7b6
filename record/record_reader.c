// SPDX-License-Identifier: GPL-2.0
#include "record/record_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/record_frame.h"
#include "util/xalloc.h"

#define RECORD_MAX_SEGMENTS 2

struct record_segment {
	char *path;
	int fd;
	uint64_t size;
	struct record_header h;
};

struct record_entry {
	uint64_t time_ns;
	uint64_t offset;
	unsigned int seg;
};

struct record_reader {
	struct record_segment seg[RECORD_MAX_SEGMENTS];
	unsigned int nseg;
	struct record_entry *e; /* every interval listed; the first skip ones are out of --keep */
	size_t n;
	size_t cap;
	size_t skip;            /* intervals before the keep span: still the prefix of later ones */
	uint8_t *cache;         /* the raw sections of entry cache_at, the next one's prefix */
	size_t cache_len;
	size_t cache_at;        /* n: none */
	bool damaged;
	char damage[256];
};

/* Read exactly len bytes at off; 0, or -EIO when the file is shorter (or unreadable). */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static void add_entry(struct record_reader *r, unsigned int seg, uint64_t time_ns, uint64_t off)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->e = xreallocarray(r->e, r->cap, sizeof(*r->e));
	}
	r->e[r->n++] = (struct record_entry){ .time_ns = time_ns, .offset = off, .seg = seg };
}

/* Note the first damage met: the file, the byte offset and what is wrong. */
static void set_damage(struct record_reader *r, const struct record_segment *s, uint64_t off,
		       const char *what)
{
	if (r->damaged)
		return;
	r->damaged = true;
	snprintf(r->damage, sizeof(r->damage), "%s: bad frame at byte offset %llu: %s", s->path,
		 (unsigned long long)off, what);
}

/* Open one file of the recording and check its header; 0 or -errno with why. */
static int segment_open(struct record_segment *s, const char *path, char *why, size_t why_len)
{
	uint8_t hdr[RECORD_HEADER_LEN];
	struct stat st;
	int err;

	s->path = xstrdup(path);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st)) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return err;
	}
	s->size = (uint64_t)st.st_size;
	if (s->size < RECORD_HEADER_LEN || read_at(s->fd, hdr, sizeof(hdr), 0)) {
		snprintf(why, why_len,
			 "%s: not a ktop recording (%llu bytes, shorter than a header)", path,
			 (unsigned long long)s->size);
		return -EBADMSG;
	}
	err = record_header_decode(hdr, &s->h, why, why_len);
	if (err) {
		char reason[192];

		snprintf(reason, sizeof(reason), "%s", why);
		snprintf(why, why_len, "%s: %s", path, reason);
	}
	return err;
}

static void segment_close(struct record_segment *s)
{
	if (s->path && s->fd >= 0)
		close(s->fd);
	free(s->path);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* Read a raw frame (index or end) of an expected kind at off into a malloc'd payload. */
static uint8_t *read_raw_frame(const struct record_segment *s, uint64_t off, uint16_t kind,
			       struct record_frame_header *fh)
{
	uint8_t hb[RECORD_FRAME_HEADER_LEN];
	char why[128];
	uint8_t *p;

	if (off < RECORD_HEADER_LEN || off > s->size || s->size - off < sizeof(hb) ||
	    read_at(s->fd, hb, sizeof(hb), off) ||
	    record_frame_header_decode(hb, fh, why, sizeof(why)) ||
	    fh->kind != kind || s->size - off - sizeof(hb) < fh->stored_len)
		return NULL;
	p = xmalloc(fh->stored_len ? fh->stored_len : 1);
	if (read_at(s->fd, p, fh->stored_len, off + sizeof(hb)) ||
	    record_crc(0, p, fh->stored_len) != fh->payload_crc) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * The intervals of a cleanly closed file from its index frames, newest index first; false
 * (nothing added) when the end frame or any index frame is missing or damaged.
 */
static bool list_by_index(struct record_reader *r, unsigned int seg)
{
	const struct record_segment *s = &r->seg[seg];
	struct record_frame_header fh;
	size_t first = r->n, nix = 0;
	uint64_t off, limit;
	uint8_t *p;

	if (s->size < RECORD_HEADER_LEN + RECORD_FRAME_HEADER_LEN + 8)
		return false;
	p = read_raw_frame(s, s->size - RECORD_FRAME_HEADER_LEN - 8, RECORD_FRAME_END, &fh);
	if (!p)
		return false;
	off = record_get_u64(p);
	free(p);
	limit = s->size - RECORD_FRAME_HEADER_LEN - 8;
	/* walk the chain backwards, each index's entries appended reversed, then flip all */
	while (off) {
		uint32_t count;

		if (off >= limit || ++nix > s->size / RECORD_FRAME_HEADER_LEN)
			goto fail;
		p = read_raw_frame(s, off, RECORD_FRAME_INDEX, &fh);
		if (!p || fh.stored_len < 12)
			goto fail_free;
		count = record_get_u32(p + 8);
		if (count > RECORD_INDEX_EVERY || fh.stored_len != 12 + (uint64_t)count * 16)
			goto fail_free;
		for (uint32_t i = count; i-- > 0;) {
			uint64_t t = record_get_u64(p + 12 + i * 16);
			uint64_t at = record_get_u64(p + 12 + i * 16 + 8);

			if (at < RECORD_HEADER_LEN || at >= off)
				goto fail_free;
			add_entry(r, seg, t, at);
		}
		limit = off;
		off = record_get_u64(p);
		free(p);
	}
	for (size_t i = first, k = r->n - 1; i < k && r->n; i++, k--) {
		struct record_entry tmp = r->e[i];

		r->e[i] = r->e[k];
		r->e[k] = tmp;
	}
	/* the intervals follow each other in the file, or the index is not to be trusted */
	for (size_t i = first + 1; i < r->n; i++)
		if (r->e[i].offset <= r->e[i - 1].offset)
			goto fail;
	return true;
fail_free:
	free(p);
fail:
	r->n = first;
	return false;
}

/* The intervals of a file by reading each frame header; stops at the first damage. */
static void list_by_scan(struct record_reader *r, unsigned int seg)
{
	const struct record_segment *s = &r->seg[seg];
	uint64_t off = RECORD_HEADER_LEN;
	struct record_frame_header fh;
	uint8_t hb[RECORD_FRAME_HEADER_LEN];
	char why[192];

	while (off < s->size) {
		if (s->size - off < sizeof(hb)) {
			snprintf(why, sizeof(why), "cut short (%llu bytes of a frame header)",
				 (unsigned long long)(s->size - off));
			set_damage(r, s, off, why);
			return;
		}
		if (read_at(s->fd, hb, sizeof(hb), off)) {
			set_damage(r, s, off, "unreadable");
			return;
		}
		if (record_frame_header_decode(hb, &fh, why, sizeof(why))) {
			set_damage(r, s, off, why);
			return;
		}
		if (s->size - off - sizeof(hb) < fh.stored_len) {
			snprintf(why, sizeof(why),
				 "cut short (%u payload bytes, the file has %llu)", fh.stored_len,
				 (unsigned long long)(s->size - off - sizeof(hb)));
			set_damage(r, s, off, why);
			return;
		}
		if (fh.kind == RECORD_FRAME_INTERVAL)
			add_entry(r, seg, fh.time_ns, off);
		else if (fh.kind == RECORD_FRAME_END)
			return;
		off += sizeof(hb) + fh.stored_len;
	}
}

/* Join path.prev when it is the previous segment of the same ring. */
static void open_prev(struct record_reader *r, const char *path)
{
	struct record_segment *cur = &r->seg[0];
	struct record_segment prev = { .fd = -1 };
	char *prev_path = xasprintf("%s.prev", path);
	char why[256];

	if (cur->h.segment && !segment_open(&prev, prev_path, why, sizeof(why)) &&
	    prev.h.recording_id == cur->h.recording_id && prev.h.segment + 1 == cur->h.segment) {
		r->seg[1] = *cur;
		r->seg[0] = prev;
		r->nseg = 2;
	} else {
		segment_close(&prev);
	}
	free(prev_path);
}

/* Hide the intervals before a ring's keep span, counted back from the newest. */
static void apply_keep(struct record_reader *r)
{
	uint64_t keep_ns = (uint64_t)r->seg[r->nseg - 1].h.keep_s * 1000000000ull;
	uint64_t last;

	if (!keep_ns || !r->n)
		return;
	last = r->e[r->n - 1].time_ns;
	while (r->skip < r->n && last - r->e[r->skip].time_ns >= keep_ns)
		r->skip++;
}

int record_reader_open(struct record_reader **out, const char *path, char *why, size_t why_len)
{
	struct record_reader *r = xcalloc(1, sizeof(*r));
	int err;

	*out = NULL;
	r->nseg = 1;
	r->seg[0].fd = -1;
	err = segment_open(&r->seg[0], path, why, why_len);
	if (err) {
		record_reader_close(r);
		return err;
	}
	open_prev(r, path);
	for (unsigned int s = 0; s < r->nseg; s++)
		if (!list_by_index(r, s))
			list_by_scan(r, s);
	apply_keep(r);
	r->cache_at = r->n;
	*out = r;
	return 0;
}

void record_reader_close(struct record_reader *r)
{
	if (!r)
		return;
	for (unsigned int s = 0; s < RECORD_MAX_SEGMENTS; s++)
		segment_close(&r->seg[s]);
	free(r->cache);
	free(r->e);
	free(r);
}

const struct record_header *record_reader_header(const struct record_reader *r)
{
	return &r->seg[r->nseg - 1].h;
}

size_t record_reader_count(const struct record_reader *r)
{
	return r->n - r->skip;
}

uint64_t record_reader_time(const struct record_reader *r, size_t i)
{
	return i < r->n - r->skip ? r->e[r->skip + i].time_ns : 0;
}

size_t record_reader_find(const struct record_reader *r, uint64_t time_ns)
{
	size_t lo = r->skip, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->e[mid].time_ns < time_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - r->skip;
}

bool record_reader_is_damaged(const struct record_reader *r, char *why, size_t why_len)
{
	if (r->damaged)
		snprintf(why, why_len, "%s", r->damage);
	return r->damaged;
}

/*
 * Decompress entry k (an index into every entry) with prefix (the raw sections of entry k - 1,
 * when its frame says it needs them); its delta flag goes to *delta. 0 or -EBADMSG with why.
 */
static int unpack_entry(struct record_reader *r, size_t k, const uint8_t *prefix,
			size_t prefix_len, bool need_delta_known, bool *delta, uint8_t **raw,
			size_t *raw_len, char *why, size_t why_len)
{
	const struct record_segment *s = &r->seg[r->e[k].seg];
	uint64_t off = r->e[k].offset;
	struct record_frame_header fh;
	uint8_t hb[RECORD_FRAME_HEADER_LEN];
	char reason[192];
	uint8_t *stored;
	int err;

	*raw = NULL;
	if (off > s->size || s->size - off < sizeof(hb) || read_at(s->fd, hb, sizeof(hb), off)) {
		snprintf(reason, sizeof(reason), "cut short");
		goto bad;
	}
	if (record_frame_header_decode(hb, &fh, reason, sizeof(reason)))
		goto bad;
	if (fh.kind != RECORD_FRAME_INTERVAL || s->size - off - sizeof(hb) < fh.stored_len) {
		snprintf(reason, sizeof(reason), "not the interval frame the index names");
		goto bad;
	}
	*delta = fh.flags & RECORD_FLAG_DELTA;
	if (need_delta_known)
		return 0; /* only the flag was asked for */
	if (*delta && !prefix) {
		snprintf(reason, sizeof(reason), "packed on an interval that is not in the file");
		goto bad;
	}
	stored = xmalloc(fh.stored_len ? fh.stored_len : 1);
	if (read_at(s->fd, stored, fh.stored_len, off + sizeof(hb)) ||
	    record_crc(0, stored, fh.stored_len) != fh.payload_crc) {
		free(stored);
		snprintf(reason, sizeof(reason), "payload checksum mismatch");
		goto bad;
	}
	err = record_frame_unpack(stored, fh.stored_len, fh.raw_len, *delta ? prefix : NULL,
				  prefix_len, raw, reason, sizeof(reason));
	free(stored);
	if (err)
		goto bad;
	*raw_len = fh.raw_len;
	return 0;
bad:
	snprintf(why, why_len, "%s: bad frame at byte offset %llu: %s", s->path,
		 (unsigned long long)off, reason);
	return -EBADMSG;
}

/* Keep a copy of entry k's raw sections: the prefix the next interval may need. */
static void cache_put(struct record_reader *r, size_t k, const uint8_t *raw, size_t len)
{
	free(r->cache);
	r->cache = xmalloc(len ? len : 1);
	if (len)
		memcpy(r->cache, raw, len);
	r->cache_len = len;
	r->cache_at = k;
}

int record_reader_load(struct record_reader *r, size_t i, uint8_t **raw, size_t *raw_len,
		       char *why, size_t why_len)
{
	size_t k, first;
	bool delta;
	int err;

	*raw = NULL;
	*raw_len = 0;
	if (i >= r->n - r->skip)
		return -ERANGE;
	k = r->skip + i;
	/* back to the nearest interval packed alone (or the cached one), then forward */
	for (first = k; first > 0 && first != r->cache_at + 1; first--) {
		err = unpack_entry(r, first, NULL, 0, true, &delta, raw, raw_len, why, why_len);
		if (err)
			return err;
		if (!delta || r->e[first - 1].seg != r->e[first].seg)
			break;
	}
	for (size_t j = first; j <= k; j++) {
		bool have = r->cache_at + 1 == j && r->cache_at < r->n;

		err = unpack_entry(r, j, have ? r->cache : NULL, have ? r->cache_len : 0, false,
				   &delta, raw, raw_len, why, why_len);
		if (err)
			return err;
		cache_put(r, j, *raw, *raw_len);
		if (j < k) {
			free(*raw);
			*raw = NULL;
		}
	}
	return 0;
}
