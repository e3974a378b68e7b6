// SPDX-License-Identifier: GPL-2.0
#include "core/replay.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model_section.h"
#include "core/registry.h"
#include "record/record_file.h"
#include "record/record_frame.h"
#include "record/record_reader.h"
#include "record/record_time.h"
#include "util/escape.h"

static const uint16_t format_kind[] = {
	[EXPORT_TEXT] = RECORD_SECTION_TEXT,
	[EXPORT_JSON] = RECORD_SECTION_JSON,
	[EXPORT_FOLDED] = RECORD_SECTION_FOLDED,
};

/* Whether a code point may reach a terminal as it is (what live exports let through). */
static bool passes(uint32_t cp)
{
	if (cp == '\n' || cp == '\t')
		return true;
	return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f);
}

size_t replay_escape(char *dst, size_t dst_len, const uint8_t *p, size_t len)
{
	size_t i = 0, o = 0;

	if (!dst_len)
		return 0;
	while (i < len) {
		uint32_t cp;
		size_t n = escape_utf8_decode((const char *)p + i, len - i, &cp);

		if (n && passes(cp)) {
			if (o + n >= dst_len)
				break;
			memcpy(dst + o, p + i, n);
			o += n;
			i += n;
			continue;
		}
		if (o + 4 >= dst_len)
			break;
		snprintf(dst + o, 5, "\\x%02x", p[i]);
		o += 4;
		i++;
	}
	dst[o] = '\0';
	return o;
}

/* Write recorded bytes through replay_escape, a piece at a time; 0 or -EIO. */
static int write_safe(FILE *out, const uint8_t *p, size_t len)
{
	char buf[4096 * 4 + 1];
	size_t i = 0;

	while (i < len) {
		/* a piece that escapes to at most the buffer, ending on a character's end */
		size_t n = len - i < 4096 ? len - i : 4096, used;

		while (n < len - i && n > 4096 - 4 && (p[i + n] & 0xc0) == 0x80)
			n--;
		used = replay_escape(buf, sizeof(buf), p + i, n);
		if (used && fwrite(buf, 1, used, out) != used)
			return -EIO;
		i += n;
	}
	return 0;
}

/* "HH:MM:SS" (local) of a CLOCK_REALTIME time in nanoseconds. */
static const char *clock_text(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

/* The interval at or after the time s names (count when none or s is NULL-free of sense). */
static size_t find_spec(const struct record_reader *r, const char *s, uint64_t extra_ns)
{
	struct record_time t;
	char why[128];

	if (!s || record_time_parse(s, &t, why, sizeof(why)))
		return record_reader_count(r);
	return record_reader_find(r, record_time_resolve(&t, record_reader_time(r, 0)) + extra_ns);
}

size_t replay_first(const struct options *o, const struct record_reader *r)
{
	if (o->at)
		return find_spec(r, o->at, 0);
	return o->from ? find_spec(r, o->from, 0) : 0;
}

/* The first and one-past-last intervals --at, or --from and --to, select. */
static void select_range(const struct options *o, const struct record_reader *r, size_t *first,
			 size_t *end)
{
	size_t n = record_reader_count(r);

	*first = 0;
	*end = n;
	if (!n)
		return;
	*first = replay_first(o, r);
	if (o->at)
		*end = *first < n ? *first + 1 : n;
	else if (o->to)
		*end = find_spec(r, o->to, 1);
	if (*end < *first)
		*end = *first;
}

void replay_panels_text(const struct record_header *h, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int b = 0; b < 32 && n < len; b++) {
		const char *name = record_panel_name(b);

		if (!(h->panels & (1u << b)))
			continue;
		if (name)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", name);
		else
			n += (size_t)snprintf(buf + n, len - n, "%spanel bit %u", n ? "," : "", b);
	}
}

/* Say what the recording is, its text escaped: it comes from the file. */
static void describe(const struct options *o, const struct record_reader *r, size_t first,
		     size_t end)
{
	const struct record_header *h = record_reader_header(r);
	char host[sizeof(h->host) * 4], kernel[sizeof(h->kernel) * 4], a[16], b[16];
	char panels[160] = "", list[128];
	size_t n = record_reader_count(r);

	escape_cstr(host, sizeof(host), h->host, sizeof(h->host));
	escape_cstr(kernel, sizeof(kernel), h->kernel, sizeof(h->kernel));
	if (h->panels) {
		replay_panels_text(h, list, sizeof(list));
		snprintf(panels, sizeof(panels), ", panels %s", list);
	}
	if (!n) {
		fprintf(stderr, "ktop: %s: recorded on %s (%s)%s, no intervals\n", o->read, host,
			kernel, panels);
		return;
	}
	fprintf(stderr, "ktop: %s: recorded on %s (%s)%s, %zu intervals %s-%s; replaying %zu\n",
		o->read, host, kernel, panels, n, clock_text(record_reader_time(r, 0), a, sizeof(a)),
		clock_text(record_reader_time(r, n - 1), b, sizeof(b)), end - first);
}

bool replay_has_panel(const struct record_header *h, const char *panel)
{
	int b = record_panel_bit(panel);

	return !h->panels || (b >= 0 && (h->panels & (1u << b)));
}

int replay_run_batch(const struct options *o)
{
	const char *panel = o->panel ? o->panel : registry[0].panel->name;
	uint16_t kind = format_kind[o->format];
	struct record_reader *r;
	size_t first, end, i, done = 0, missing = 0;
	FILE *out = stdout;
	char why[512];
	int rc = 0, err;

	if (record_reader_open(&r, o->read, why, sizeof(why))) {
		fprintf(stderr, "ktop: -r %s\n", why);
		return 2;
	}
	if (o->output) {
		out = export_create(o->output, why, sizeof(why));
		if (!out) {
			fprintf(stderr, "ktop: -o %s\n", why);
			record_reader_close(r);
			return 2;
		}
	}
	select_range(o, r, &first, &end);
	describe(o, r, first, end);
	for (i = first; i < end && (!o->iterations || done < o->iterations); i++) {
		struct record_section s;
		uint8_t *raw;
		size_t len;

		err = record_reader_load(r, i, &raw, &len, why, sizeof(why));
		if (!err) {
			err = record_frame_find(raw, len, kind, panel, &s, why, sizeof(why));
			if (err < 0) {
				char reason[256];

				snprintf(reason, sizeof(reason), "%s", why);
				snprintf(why, sizeof(why), "%s: interval %zu: %s", o->read, i,
					 reason);
			}
		}
		if (err < 0) {
			fprintf(stderr, "ktop: -r %s\n", why);
			free(raw);
			rc = 1;
			break;
		}
		if (err == 0 && o->format == EXPORT_FOLDED) {
			/* a batch recording keeps the model: its folded lines come from it */
			err = model_section_write_folded(raw, len, panel, out, why, sizeof(why));
			if (err > 0) {
				free(raw);
				if (fflush(out)) {
					rc = errno == EPIPE ? 0 : 1;
					break;
				}
				done++;
				continue;
			}
			if (err < 0) {
				fprintf(stderr, "ktop: -r %s: interval %zu: %s\n", o->read, i, why);
				free(raw);
				rc = 1;
				break;
			}
		}
		if (err == 0) {
			missing++; /* the panel had nothing in this format then (no stacks yet) */
			free(raw);
			continue;
		}
		err = 0;
		if (done && o->format == EXPORT_TEXT && fputc('\n', out) == EOF)
			err = -EIO;
		if (!err)
			err = write_safe(out, s.data, s.len);
		free(raw);
		if (err || fflush(out)) {
			/* stdio reports a closed pipe as a stream error */
			if (errno != EPIPE)
				fprintf(stderr, "ktop: writing a snapshot: %s\n", strerror(errno));
			rc = errno == EPIPE ? 0 : 1;
			break;
		}
		done++;
	}
	if (missing && replay_has_panel(record_reader_header(r), panel))
		fprintf(stderr, "ktop: -r: %zu intervals have no %s output of panel %s\n", missing,
			o->format == EXPORT_JSON ? "json" : o->format == EXPORT_TEXT ? "text"
									: "folded",
			panel);
	/* the listing stopped at damage: said once the intervals before it are out */
	if (!rc && i == end && end == record_reader_count(r) &&
	    record_reader_is_damaged(r, why, sizeof(why))) {
		fprintf(stderr, "ktop: -r %s\n", why);
		rc = 1;
	}
	if (!rc && !done && !replay_has_panel(record_reader_header(r), panel)) {
		char list[128];

		replay_panels_text(record_reader_header(r), list, sizeof(list));
		fprintf(stderr, "ktop: -r %s: panel %s was not recorded (--record %s)\n", o->read,
			panel, list);
		rc = 1;
	} else if (!rc && !done) {
		fprintf(stderr, "ktop: -r %s: no interval of panel %s to replay%s\n", o->read,
			panel, first < end ? "" : " in that time");
		rc = 1;
	}
	if (out != stdout && fclose(out) && !rc) {
		fprintf(stderr, "ktop: -o %s: %s\n", o->output, strerror(errno));
		rc = 1;
	}
	record_reader_close(r);
	return rc;
}
