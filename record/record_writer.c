// SPDX-License-Identifier: GPL-2.0
#include "record/record_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define RECORD_ZSTD_LEVEL 3

struct record_writer {
	char *path;
	char *prev_path;       /* path.prev, the older half of a --keep ring */
	int fd;
	struct record_header h;
	uint64_t end;          /* bytes of whole frames in the file */
	uint64_t seq;          /* the next interval's number */
	uint64_t seg_first_ns; /* time of this segment's first interval, 0 before it */
	uint64_t last_index;   /* offset of this file's last index frame, 0: none yet */
	uint64_t *ix_time;     /* intervals since the last index frame */
	uint64_t *ix_off;
	size_t ix_n;
	bool broken;           /* a write failed: nothing more goes to the file */
	uint8_t *prev;         /* the previous interval's raw sections: the next one's prefix */
	size_t prev_len;
	size_t prev_cap;
	unsigned int since_key; /* intervals since the last one packed alone (0: pack alone) */
	uint64_t size_bound;    /* --keep SIZE: FILE and FILE.prev together; 0: none */
};

/* Write all of buf at off; 0 or -errno (a short write on a full disk is -ENOSPC). */
static int write_at(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Append one frame (header + payload in one write); on failure cut the file back. */
static int write_frame(struct record_writer *w, uint16_t kind, uint16_t flags,
		       const void *payload, uint32_t stored, uint32_t raw, uint64_t time_ns,
		       uint64_t seq)
{
	struct record_frame_header fh = {
		.kind = kind,
		.flags = flags,
		.stored_len = stored,
		.raw_len = raw,
		.time_ns = time_ns,
		.seq = seq,
		.payload_crc = record_crc(0, payload, stored),
	};
	uint8_t *buf = xmalloc(RECORD_FRAME_HEADER_LEN + (size_t)stored);
	int err;

	record_frame_header_encode(&fh, buf);
	memcpy(buf + RECORD_FRAME_HEADER_LEN, payload, stored);
	err = write_at(w->fd, buf, RECORD_FRAME_HEADER_LEN + (size_t)stored, w->end);
	free(buf);
	if (err) {
		/* what was written stays readable: no half frame at the end */
		if (ftruncate(w->fd, (off_t)w->end))
			err = err ? err : -errno;
		w->broken = true;
		return err;
	}
	w->end += RECORD_FRAME_HEADER_LEN + (uint64_t)stored;
	return 0;
}

/* Write the index frame of the intervals since the last one; 0 or -errno. */
static int write_index(struct record_writer *w, uint64_t time_ns)
{
	size_t len = 12 + w->ix_n * 16;
	uint8_t *p = xmalloc(len);
	uint64_t at = w->end;
	int err;

	record_put_u64(p, w->last_index);
	record_put_u32(p + 8, (uint32_t)w->ix_n);
	for (size_t i = 0; i < w->ix_n; i++) {
		record_put_u64(p + 12 + i * 16, w->ix_time[i]);
		record_put_u64(p + 12 + i * 16 + 8, w->ix_off[i]);
	}
	err = write_frame(w, RECORD_FRAME_INDEX, 0, p, (uint32_t)len, (uint32_t)len, time_ns,
			  w->seq);
	free(p);
	if (!err) {
		w->last_index = at;
		w->ix_n = 0;
	}
	return err;
}

/* Create the file and write its header; 0 or -errno with why. */
static int start_file(struct record_writer *w, char *why, size_t why_len)
{
	uint8_t hdr[RECORD_HEADER_LEN];
	int err;

	w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", w->path, strerror(-err));
		return err;
	}
	record_header_encode(&w->h, hdr);
	err = write_at(w->fd, hdr, sizeof(hdr), 0);
	if (err) {
		snprintf(why, why_len, "%s: %s", w->path, strerror(-err));
		return err;
	}
	w->end = RECORD_HEADER_LEN;
	w->since_key = 0; /* a file's first interval is packed alone: it is read without another */
	w->last_index = 0;
	w->ix_n = 0;
	w->seg_first_ns = 0;
	return 0;
}

/* Finish the current file: its last index, the end frame; then close it. */
static int finish_file(struct record_writer *w)
{
	uint8_t end[8];
	int err = 0;

	if (!w->broken && w->ix_n)
		err = write_index(w, w->h.start_ns);
	if (!w->broken && !err) {
		record_put_u64(end, w->last_index);
		err = write_frame(w, RECORD_FRAME_END, 0, end, sizeof(end), sizeof(end), 0, w->seq);
	}
	if (close(w->fd) && !err)
		err = -errno;
	w->fd = -1;
	return err;
}

/* The ring of --keep: this file becomes path.prev, a new segment starts at path. */
static int rotate(struct record_writer *w, char *why, size_t why_len)
{
	int err = finish_file(w);

	if (err) {
		snprintf(why, why_len, "%s: %s", w->path, strerror(-err));
		return err;
	}
	if (rename(w->path, w->prev_path)) {
		err = -errno;
		snprintf(why, why_len, "%s -> %s: %s", w->path, w->prev_path, strerror(-err));
		return err;
	}
	w->h.segment++;
	return start_file(w, why, why_len);
}

int record_writer_open(struct record_writer **out, const char *path,
		       const struct record_header *h, char *why, size_t why_len)
{
	struct record_writer *w = xcalloc(1, sizeof(*w));
	struct timespec ts;
	int err;

	*out = NULL;
	w->path = xstrdup(path);
	w->prev_path = xasprintf("%s.prev", path);
	w->h = *h;
	w->h.segment = 0;
	if (!w->h.start_ns) {
		clock_gettime(CLOCK_REALTIME, &ts);
		w->h.start_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	while (!w->h.recording_id)
		if (getrandom(&w->h.recording_id, sizeof(w->h.recording_id), 0) < 0)
			w->h.recording_id = w->h.start_ns ^ (uint64_t)getpid();
	w->ix_time = xcalloc(RECORD_INDEX_EVERY, sizeof(*w->ix_time));
	w->ix_off = xcalloc(RECORD_INDEX_EVERY, sizeof(*w->ix_off));
	err = start_file(w, why, why_len);
	if (err) {
		if (w->fd >= 0) {
			close(w->fd);
			unlink(w->path);
		}
		w->fd = -1;
		w->broken = true;
		record_writer_close(w, NULL, 0);
		return err;
	}
	if (w->h.keep_s)
		unlink(w->prev_path); /* a ring from another recording must not join this one */
	*out = w;
	return 0;
}

int record_writer_open_new(struct record_writer **out, const char *dir, const char *stem,
			   const struct record_header *h, char *path, size_t path_len, char *why,
			   size_t why_len)
{
	int err = -EEXIST;

	for (int n = 0; n < 1000 && err == -EEXIST; n++) {
		if (n)
			snprintf(path, path_len, "%s/%s-%d.ktop", dir, stem, n);
		else
			snprintf(path, path_len, "%s/%s.ktop", dir, stem);
		err = record_writer_open(out, path, h, why, why_len);
	}
	return err;
}

int record_save_one(const char *dir, const char *stem, const struct record_header *h,
		    struct record_frame *f, uint64_t time_ns, char *path, size_t path_len,
		    char *why, size_t why_len)
{
	struct record_writer *w;
	int err = record_writer_open_new(&w, dir, stem, h, path, path_len, why, why_len);

	if (err)
		return err;
	err = record_writer_append(w, f, time_ns, why, why_len);
	if (err) {
		record_writer_close(w, NULL, 0);
		unlink(path);
		return err;
	}
	err = record_writer_close(w, why, why_len);
	if (err)
		unlink(path);
	return err;
}

int record_writer_append(struct record_writer *w, struct record_frame *f, uint64_t time_ns,
			 char *why, size_t why_len)
{
	uint64_t at;
	bool delta;
	int err;

	if (w->broken) {
		snprintf(why, why_len, "%s: recording stopped", w->path);
		return -EIO;
	}
	if ((w->h.keep_s && w->seg_first_ns &&
	     time_ns - w->seg_first_ns >= (uint64_t)w->h.keep_s * 1000000000ull) ||
	    (w->size_bound && w->seg_first_ns && w->end >= w->size_bound / 2)) {
		err = rotate(w, why, why_len);
		if (err) {
			w->broken = true;
			return err;
		}
	}
	delta = w->since_key > 0;
	err = record_frame_pack(f, RECORD_ZSTD_LEVEL, delta ? w->prev : NULL, w->prev_len, why,
				why_len);
	if (err)
		return err; /* this interval is lost, the recording goes on */
	at = w->end;
	err = write_frame(w, RECORD_FRAME_INTERVAL, delta ? RECORD_FLAG_DELTA : 0, f->packed,
			  (uint32_t)f->packed_len, (uint32_t)f->raw_len, time_ns, w->seq);
	if (err) {
		snprintf(why, why_len, "%s: %s", w->path, strerror(-err));
		return err;
	}
	if (w->prev_cap < f->raw_len) {
		w->prev_cap = f->raw_len;
		free(w->prev);
		w->prev = xmalloc(w->prev_cap);
	}
	if (f->raw_len)
		memcpy(w->prev, f->raw, f->raw_len);
	w->prev_len = f->raw_len;
	w->since_key = (w->since_key + 1) % RECORD_KEY_EVERY;
	if (!w->seg_first_ns)
		w->seg_first_ns = time_ns;
	w->ix_time[w->ix_n] = time_ns;
	w->ix_off[w->ix_n++] = at;
	w->seq++;
	if (w->ix_n == RECORD_INDEX_EVERY) {
		err = write_index(w, time_ns);
		if (err) {
			snprintf(why, why_len, "%s: %s", w->path, strerror(-err));
			return err;
		}
	}
	return 0;
}

void record_writer_set_size_bound(struct record_writer *w, uint64_t bytes)
{
	w->size_bound = bytes;
	if (bytes)
		unlink(w->prev_path); /* a ring from another recording must not join this one */
}

uint64_t record_writer_frames(const struct record_writer *w)
{
	return w->seq;
}

uint64_t record_writer_bytes(const struct record_writer *w)
{
	return w->end;
}

int record_writer_close(struct record_writer *w, char *why, size_t why_len)
{
	int err = 0;

	if (!w)
		return 0;
	if (w->fd >= 0) {
		err = finish_file(w);
		if (err && why)
			snprintf(why, why_len, "%s: %s", w->path, strerror(-err));
	}
	free(w->prev);
	free(w->ix_time);
	free(w->ix_off);
	free(w->path);
	free(w->prev_path);
	free(w);
	return err;
}
