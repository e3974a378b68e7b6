// SPDX-License-Identifier: GPL-2.0
#include "core/pprof_export.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "proto/profile.pb-c.h"
#include "util/escape.h"
#include "util/hash.h"
#include "util/htab.h"
#include "util/xalloc.h"

#define PPROF_INLINED	 " [inlined]" /* how the unwinder names a function inlined at a pc */
#define PPROF_KERNEL_MAP 1	      /* the mapping id of kernel frames */
#define PPROF_GZ_CHUNK	 65536
#define PPROF_MAX_VALUES 2

/* A string of the table: its text (owned) and index. */
struct pp_str {
	const char *s;
	int64_t idx;
};

/* A function by name and file. */
struct pp_fn {
	int64_t name;
	int64_t file;
	uint64_t id;
};

/* A line of a location: a function and the line in it (0: unknown). */
struct pp_line {
	uint64_t fn;
	int64_t line;
};

/* A location: its lines in e->lines, innermost first, its mapping and address there. */
struct pp_loc {
	uint32_t first;
	uint32_t nlines;
	uint64_t mapping;
	uint64_t addr;
};

/*
 * A mapped file (by path and build id): one Mapping for every process that maps it, at the
 * first one's addresses; the others' are moved there by file offset.
 */
struct pp_map {
	int64_t file;
	int64_t build_id;
	uint64_t start;
	uint64_t limit;
	uint64_t offset;
	uint64_t id;
};

struct pprof_enc;

/* The lines of a location being looked up, and where the stored ones are. */
struct pp_loc_key {
	const struct pp_line *lines;
	uint32_t nlines;
	uint64_t mapping;
	uint64_t addr;
	const struct pprof_enc *e;
};

/* A location's entry in the lookup: its index in e->locs. */
struct pp_loc_ref {
	uint32_t idx;
};

struct pprof_enc {
	char **strs; /* the string table, owned texts */
	size_t nstrs, strs_cap;
	struct htab str_index; /* text -> struct pp_str */
	struct pp_fn *fns;
	size_t nfns, fns_cap;
	struct htab fn_index;  /* (name, file) -> struct pp_fn */
	struct pp_line *lines; /* every location's lines, one run each */
	size_t nlines, lines_cap;
	struct pp_loc *locs;
	size_t nlocs, locs_cap;
	struct htab loc_index; /* lines -> struct pp_loc_ref */
	struct pp_map *maps;
	size_t nmaps, maps_cap;
	struct htab map_index; /* (file, build id) -> struct pp_map */
	bool kernel;	       /* a kernel frame was seen: the kernel mapping goes out */
};

/* The stream protobuf-c packs into: gzip-compressed into out as it comes. */
struct pp_gz {
	ProtobufCBuffer base;
	z_stream z;
	FILE *out;
	int err;
	unsigned char buf[PPROF_GZ_CHUNK];
};

static bool pp_str_eq(const void *entry, const void *key)
{
	return !strcmp(((const struct pp_str *)entry)->s, key);
}

/* The index of text (its first len bytes at most, and PPROF_STR_MAX) in the string table. */
static int64_t pp_strn(struct pprof_enc *e, const char *text, size_t len)
{
	char *s;
	struct pp_str *ent;
	bool added;

	if (!text)
		text = "";
	len = strnlen(text, len < PPROF_STR_MAX ? len : PPROF_STR_MAX);
	/* a cut text ends on a whole UTF-8 character: profile.proto's strings are UTF-8 */
	while (len && text[len] && ((unsigned char)text[len] & 0xc0) == 0x80)
		len--;
	if (escape_is_clean(text, len)) {
		s = xmalloc(len + 1);
		memcpy(s, text, len);
		s[len] = '\0';
	} else {
		/* debug information gives names and files unescaped: made UTF-8, as on screen */
		s = xmalloc(PPROF_STR_MAX + 1);
		escape_text(s, PPROF_STR_MAX + 1, text, len);
	}
	ent = htab_insert(&e->str_index, hash_str(s), s, pp_str_eq, &added);
	if (!added) {
		free(s);
		return ent->idx;
	}
	if (e->nstrs == e->strs_cap) {
		e->strs_cap = e->strs_cap ? 2 * e->strs_cap : 256;
		e->strs = xreallocarray(e->strs, e->strs_cap, sizeof(*e->strs));
	}
	ent->s = s;
	ent->idx = (int64_t)e->nstrs;
	e->strs[e->nstrs++] = s;
	return ent->idx;
}

/* The index of a NUL-terminated text in the string table. */
static int64_t pp_str(struct pprof_enc *e, const char *text)
{
	return pp_strn(e, text, PPROF_STR_MAX);
}

static bool pp_fn_eq(const void *entry, const void *key)
{
	const struct pp_fn *a = entry;
	const struct pp_fn *b = key;

	return a->name == b->name && a->file == b->file;
}

/* The id of the function named name (up to len bytes) in file (a string index). */
static uint64_t pp_fn(struct pprof_enc *e, const char *name, size_t len, int64_t file)
{
	struct pp_fn key = { .name = pp_strn(e, name, len), .file = file };
	struct pp_fn *ent;
	bool added;

	ent = htab_insert(&e->fn_index, hash_mix64((uint64_t)key.name << 32 ^ (uint64_t)key.file),
			  &key, pp_fn_eq, &added);
	if (!added)
		return ent->id;
	key.id = e->nfns + 1;
	*ent = key;
	if (e->nfns == e->fns_cap) {
		e->fns_cap = e->fns_cap ? 2 * e->fns_cap : 256;
		e->fns = xreallocarray(e->fns, e->fns_cap, sizeof(*e->fns));
	}
	e->fns[e->nfns++] = key;
	return key.id;
}

/* Whether a frame is a function the unwinder found inlined at the pc of the frame above. */
static bool pp_is_inlined(const struct stack_frame *f)
{
	size_t m = strlen(PPROF_INLINED);
	size_t n = f->name ? strlen(f->name) : 0;

	return f->kind == STACK_FRAME_USER && n > m && !strcmp(f->name + n - m, PPROF_INLINED);
}

/* One frame as a line: its function (name without the inlined mark) and its source line. */
static struct pp_line pp_frame_line(struct pprof_enc *e, const struct stack_frame *f)
{
	size_t len = f->name ? strlen(f->name) : 0;
	const char *colon = f->src ? strrchr(f->src, ':') : NULL;
	int64_t file = 0;
	int64_t line = 0;

	if (pp_is_inlined(f))
		len -= strlen(PPROF_INLINED);
	if (colon) {
		file = pp_strn(e, f->src, (size_t)(colon - f->src));
		line = strtoll(colon + 1, NULL, 10);
	} else if (f->src) {
		file = pp_str(e, f->src);
	}
	return (struct pp_line){ .fn = pp_fn(e, f->name, len, file), .line = line };
}

static bool pp_loc_eq(const void *entry, const void *key)
{
	const struct pp_loc_ref *r = entry;
	const struct pp_loc_key *k = key;
	const struct pp_loc *l = &k->e->locs[r->idx];

	return l->nlines == k->nlines && l->mapping == k->mapping && l->addr == k->addr &&
	       !memcmp(&k->e->lines[l->first], k->lines, k->nlines * sizeof(*k->lines));
}

/* The id of the location with these lines (innermost first) at addr in mapping (0: none). */
static uint64_t pp_loc(struct pprof_enc *e, const struct pp_line *lines, uint32_t n,
		       uint64_t mapping, uint64_t addr)
{
	struct pp_loc_key key = {
		.lines = lines, .nlines = n, .mapping = mapping, .addr = addr, .e = e
	};
	uint64_t h = hash_mix64(mapping ^ addr * 0x9e3779b97f4a7c15ULL);
	struct pp_loc_ref *ref;
	bool added;

	for (uint32_t i = 0; i < n; i++)
		h = hash_mix64(h ^ lines[i].fn ^ (uint64_t)lines[i].line << 32);
	ref = htab_insert(&e->loc_index, h, &key, pp_loc_eq, &added);
	if (!added)
		return ref->idx + 1;
	if (e->nlines + n > e->lines_cap) {
		while (e->nlines + n > e->lines_cap)
			e->lines_cap = e->lines_cap ? 2 * e->lines_cap : 1024;
		e->lines = xreallocarray(e->lines, e->lines_cap, sizeof(*e->lines));
	}
	if (e->nlocs == e->locs_cap) {
		e->locs_cap = e->locs_cap ? 2 * e->locs_cap : 256;
		e->locs = xreallocarray(e->locs, e->locs_cap, sizeof(*e->locs));
	}
	memcpy(&e->lines[e->nlines], lines, n * sizeof(*lines));
	e->locs[e->nlocs] = (struct pp_loc){
		.first = (uint32_t)e->nlines, .nlines = n, .mapping = mapping, .addr = addr
	};
	e->nlines += n;
	ref->idx = (uint32_t)e->nlocs;
	return ++e->nlocs;
}

static bool pp_map_eq(const void *entry, const void *key)
{
	const struct pp_map *a = entry;
	const struct pp_map *b = key;

	return a->file == b->file && a->build_id == b->build_id;
}

/*
 * The mapping (its id in *id) of the file that pid maps at addr, and addr moved to that
 * mapping's addresses; 0 in *id when no file is mapped there (or syms is NULL).
 */
static uint64_t pp_user_map(struct pprof_enc *e, struct sym_cache *syms, uint32_t pid,
			    uint64_t addr, uint64_t *id)
{
	struct sym_mapping sm;
	struct pp_map key, *m;
	uint64_t limit;
	bool added;

	*id = 0;
	if (!syms || !addr || !sym_user_mapping(syms, pid, addr, &sm))
		return addr;
	key = (struct pp_map){ .file = pp_str(e, sm.path), .build_id = pp_str(e, sm.build_id) };
	m = htab_insert(&e->map_index,
			hash_mix64((uint64_t)key.file << 32 ^ (uint64_t)key.build_id), &key,
			pp_map_eq, &added);
	if (added) {
		key.start = sm.start;
		key.limit = sm.end;
		key.offset = sm.offset;
		key.id = PPROF_KERNEL_MAP + 1 + e->nmaps;
		*m = key;
		if (e->nmaps == e->maps_cap) {
			e->maps_cap = e->maps_cap ? 2 * e->maps_cap : 64;
			e->maps = xreallocarray(e->maps, e->maps_cap, sizeof(*e->maps));
		}
		e->nmaps++;
	}
	/* the same file offset at the first mapping's address */
	addr = addr - sm.start + sm.offset - m->offset + m->start;
	limit = sm.end - sm.start + sm.offset - m->offset + m->start;
	if (limit > m->limit)
		m->limit = limit;
	e->maps[m->id - PPROF_KERNEL_MAP - 1] = *m;
	*id = m->id;
	return addr;
}

/*
 * A sample's locations, innermost first, into ids (room for nframes): a frame and the
 * functions inlined below it are one location, at the frame's address in its file's mapping
 * (named through syms). How many.
 */
static size_t pp_sample_locs(struct pprof_enc *e, struct sym_cache *syms,
			     const struct stack_sample *x, uint64_t *ids, struct pp_line *lines)
{
	size_t n = 0;

	for (uint32_t i = 0; i < x->nframes;) {
		const struct stack_frame *f = &x->frames[i];
		uint32_t j = i + 1;
		uint64_t mapping = 0, addr = 0;

		while (j < x->nframes && pp_is_inlined(&x->frames[j]))
			j++;
		/* lines innermost first: the deepest inlined call, ..., the frame's own function */
		for (uint32_t k = 0; k < j - i; k++)
			lines[k] = pp_frame_line(e, &x->frames[j - 1 - k]);
		if (f->kind == STACK_FRAME_KERNEL) {
			mapping = PPROF_KERNEL_MAP;
			e->kernel = true;
		} else if (f->kind == STACK_FRAME_USER || f->kind == STACK_FRAME_UNKNOWN) {
			addr = pp_user_map(e, syms, x->pid, f->addr, &mapping);
		}
		ids[n++] = pp_loc(e, lines, j - i, mapping, addr);
		i = j;
	}
	/* frames come outermost first, a profile's locations leaf first */
	for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) {
		uint64_t t = ids[a];

		ids[a] = ids[b];
		ids[b] = t;
	}
	return n;
}

/* Compress what protobuf-c packs and write it out, a chunk at a time. */
static void pp_gz_deflate(struct pp_gz *g, int flush)
{
	int ret;

	do {
		g->z.next_out = g->buf;
		g->z.avail_out = sizeof(g->buf);
		ret = deflate(&g->z, flush);
		if (ret == Z_STREAM_ERROR) {
			g->err = -EINVAL;
			return;
		}
		if (fwrite(g->buf, 1, sizeof(g->buf) - g->z.avail_out, g->out) !=
		    sizeof(g->buf) - g->z.avail_out) {
			g->err = -EIO;
			return;
		}
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
}

/* protobuf-c's append: the bytes go through deflate to the file. */
static void pp_gz_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct pp_gz *g = (struct pp_gz *)b;

	while (len && !g->err) {
		uInt n = len > PPROF_GZ_CHUNK ? PPROF_GZ_CHUNK : (uInt)len;

		g->z.next_in = (Bytef *)data;
		g->z.avail_in = n;
		pp_gz_deflate(g, Z_NO_FLUSH);
		data += n;
		len -= n;
	}
}

/* Pack prof, gzip-compressed, to out; 0 or -errno with why. */
static int pp_pack_gz(const Perftools__Profiles__Profile *prof, FILE *out, char *why,
		      size_t why_len)
{
	struct pp_gz *g = xcalloc(1, sizeof(*g));
	int err;

	g->base.append = pp_gz_append;
	g->out = out;
	/* 16 + window bits: a gzip header and trailer, as pprof readers expect */
	if (deflateInit2(&g->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(why, why_len, "pprof: zlib: %s", g->z.msg ? g->z.msg : "cannot start");
		free(g);
		return -ENOMEM;
	}
	perftools__profiles__profile__pack_to_buffer(prof, &g->base);
	if (!g->err) {
		g->z.next_in = NULL;
		g->z.avail_in = 0;
		pp_gz_deflate(g, Z_FINISH);
	}
	deflateEnd(&g->z);
	err = g->err;
	free(g);
	if (err)
		snprintf(why, why_len, "pprof: %s", strerror(-err));
	return err;
}

/* Free what the encoder holds. */
static void pp_enc_fini(struct pprof_enc *e)
{
	for (size_t i = 0; i < e->nstrs; i++)
		free(e->strs[i]);
	free(e->strs);
	htab_fini(&e->str_index);
	free(e->fns);
	htab_fini(&e->fn_index);
	free(e->lines);
	free(e->locs);
	htab_fini(&e->loc_index);
	free(e->maps);
	htab_fini(&e->map_index);
}

/* Whether a sample is one the profile keeps. */
static bool pp_keep(const struct pprof_input *in, const struct stack_sample *x)
{
	return (!in->pid || x->pid == in->pid) && (!in->tid || x->tid == in->tid);
}

/* Values of a sample, in the order of the sample types. How many. */
static size_t pp_values(const struct pprof_input *in, const struct stack_sample *x, int64_t *v)
{
	if (in->kind == PPROF_ON_CPU) {
		v[0] = (int64_t)x->count;
		v[1] = (int64_t)x->value * 1000;
		return 2;
	}
	v[0] = (int64_t)x->value * 1000;
	return 1;
}

/* Label key (a string index) with a number or a string (a string index). */
static void pp_label(Perftools__Profiles__Label *l, int64_t key, int64_t num, int64_t str)
{
	perftools__profiles__label__init(l);
	l->key = key;
	l->num = num;
	l->str = str;
}

int pprof_write(FILE *out, const struct pprof_input *in, char *why, size_t why_len)
{
	Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType vt[PPROF_MAX_VALUES + 1], *vtp[PPROF_MAX_VALUES];
	Perftools__Profiles__Mapping *maps = NULL, **mapp = NULL;
	Perftools__Profiles__Sample *samples = NULL, **samplep = NULL;
	Perftools__Profiles__Label *labels = NULL, **labelp = NULL;
	Perftools__Profiles__Location *locs = NULL, **locp = NULL;
	Perftools__Profiles__Line *lines = NULL, **linep = NULL;
	Perftools__Profiles__Function *fns = NULL, **fnp = NULL;
	const struct stack_set *set = in->set;
	struct pprof_enc e = { 0 };
	size_t nkeep = 0, nvalues, s = 0;
	uint64_t *ids = NULL;
	int64_t *values = NULL;
	struct pp_line *tmp = NULL;
	uint32_t maxframes = 1;
	int64_t k_pid, k_tid, k_comm, k_process;
	int err;

	htab_init(&e.str_index, sizeof(struct pp_str), _Alignof(struct pp_str));
	htab_init(&e.fn_index, sizeof(struct pp_fn), _Alignof(struct pp_fn));
	htab_init(&e.loc_index, sizeof(struct pp_loc_ref), _Alignof(struct pp_loc_ref));
	htab_init(&e.map_index, sizeof(struct pp_map), _Alignof(struct pp_map));
	pp_str(&e, ""); /* string 0 is "" */

	for (size_t i = 0; set && i < set->nsamples; i++) {
		if (!pp_keep(in, &set->samples[i]))
			continue;
		nkeep++;
		if (set->samples[i].nframes > maxframes)
			maxframes = set->samples[i].nframes;
	}
	nvalues = in->kind == PPROF_ON_CPU ? 2 : 1;
	for (size_t i = 0; i < nvalues + 1; i++)
		perftools__profiles__value_type__init(&vt[i]);
	if (in->kind == PPROF_ON_CPU) {
		vt[0].type = pp_str(&e, "samples");
		vt[0].unit = pp_str(&e, "count");
		vt[1].type = pp_str(&e, "cpu");
		vt[1].unit = pp_str(&e, "nanoseconds");
		vt[2] = vt[1]; /* the period: a sample's CPU time */
		prof.period = (int64_t)in->period_ns;
		prof.default_sample_type = vt[1].type;
	} else {
		vt[0].type = pp_str(&e, "off_cpu");
		vt[0].unit = pp_str(&e, "nanoseconds");
		vt[1] = vt[0];
		prof.period = 1;
	}
	for (size_t i = 0; i < nvalues; i++)
		vtp[i] = &vt[i];
	prof.sample_type = vtp;
	prof.n_sample_type = nvalues;
	prof.period_type = &vt[nvalues];
	prof.time_nanos = in->time_ns;
	prof.duration_nanos = in->duration_ns;
	k_pid = pp_str(&e, "pid");
	k_tid = pp_str(&e, "tid");
	k_comm = pp_str(&e, "comm");
	k_process = pp_str(&e, "process");

	samples = xcalloc(nkeep ? nkeep : 1, sizeof(*samples));
	samplep = xcalloc(nkeep ? nkeep : 1, sizeof(*samplep));
	labels = xcalloc(4 * (nkeep ? nkeep : 1), sizeof(*labels));
	labelp = xcalloc(4 * (nkeep ? nkeep : 1), sizeof(*labelp));
	values = xcalloc(nvalues * (nkeep ? nkeep : 1), sizeof(*values));
	tmp = xcalloc(maxframes, sizeof(*tmp));
	ids = xcalloc(maxframes, sizeof(*ids));
	for (size_t i = 0; set && i < set->nsamples; i++) {
		const struct stack_sample *x = &set->samples[i];
		Perftools__Profiles__Sample *sm = &samples[s];
		Perftools__Profiles__Label *l = &labels[4 * s];
		size_t n;

		if (!pp_keep(in, x))
			continue;
		perftools__profiles__sample__init(sm);
		n = pp_sample_locs(&e, in->syms, x, ids, tmp);
		sm->location_id = xcalloc(n ? n : 1, sizeof(*sm->location_id));
		memcpy(sm->location_id, ids, n * sizeof(*ids));
		sm->n_location_id = n;
		sm->value = &values[nvalues * s];
		sm->n_value = pp_values(in, x, sm->value);
		pp_label(&l[0], k_pid, x->pid, 0);
		pp_label(&l[1], k_tid, x->tid, 0);
		pp_label(&l[2], k_comm, 0, pp_str(&e, x->comm));
		pp_label(&l[3], k_process, 0, pp_str(&e, x->pcomm));
		for (int j = 0; j < 4; j++)
			labelp[4 * s + j] = &l[j];
		sm->label = &labelp[4 * s];
		sm->n_label = 4;
		samplep[s++] = sm;
	}
	prof.sample = samplep;
	prof.n_sample = s;

	/* the files first, the outermost frame's first seen: pprof names a profile by its first */
	maps = xcalloc(e.nmaps + 1, sizeof(*maps));
	mapp = xcalloc(e.nmaps + 1, sizeof(*mapp));
	for (size_t i = 0; i < e.nmaps; i++) {
		Perftools__Profiles__Mapping *m = &maps[i];

		perftools__profiles__mapping__init(m);
		m->id = e.maps[i].id;
		m->memory_start = e.maps[i].start;
		m->memory_limit = e.maps[i].limit;
		m->file_offset = e.maps[i].offset;
		m->filename = e.maps[i].file;
		m->build_id = e.maps[i].build_id;
		m->has_functions = true;
		mapp[prof.n_mapping++] = m;
	}
	if (e.kernel) {
		Perftools__Profiles__Mapping *m = &maps[e.nmaps];

		perftools__profiles__mapping__init(m);
		m->id = PPROF_KERNEL_MAP;
		m->filename = pp_str(&e, "[kernel.kallsyms]");
		m->has_functions = true;
		mapp[prof.n_mapping++] = m;
	}
	prof.mapping = mapp;

	fns = xcalloc(e.nfns ? e.nfns : 1, sizeof(*fns));
	fnp = xcalloc(e.nfns ? e.nfns : 1, sizeof(*fnp));
	for (size_t i = 0; i < e.nfns; i++) {
		perftools__profiles__function__init(&fns[i]);
		fns[i].id = e.fns[i].id;
		fns[i].name = e.fns[i].name;
		fns[i].system_name = e.fns[i].name;
		fns[i].filename = e.fns[i].file;
		fnp[i] = &fns[i];
	}
	prof.function = fnp;
	prof.n_function = e.nfns;

	lines = xcalloc(e.nlines ? e.nlines : 1, sizeof(*lines));
	linep = xcalloc(e.nlines ? e.nlines : 1, sizeof(*linep));
	locs = xcalloc(e.nlocs ? e.nlocs : 1, sizeof(*locs));
	locp = xcalloc(e.nlocs ? e.nlocs : 1, sizeof(*locp));
	for (size_t i = 0; i < e.nlines; i++) {
		perftools__profiles__line__init(&lines[i]);
		lines[i].function_id = e.lines[i].fn;
		lines[i].line = e.lines[i].line;
		linep[i] = &lines[i];
	}
	for (size_t i = 0; i < e.nlocs; i++) {
		perftools__profiles__location__init(&locs[i]);
		locs[i].id = i + 1;
		locs[i].mapping_id = e.locs[i].mapping;
		locs[i].address = e.locs[i].addr;
		locs[i].line = &linep[e.locs[i].first];
		locs[i].n_line = e.locs[i].nlines;
		locp[i] = &locs[i];
	}
	prof.location = locp;
	prof.n_location = e.nlocs;

	prof.string_table = e.strs;
	prof.n_string_table = e.nstrs;

	err = pp_pack_gz(&prof, out, why, why_len);

	for (size_t i = 0; i < s; i++)
		free(samples[i].location_id);
	free(samples);
	free(samplep);
	free(labels);
	free(labelp);
	free(values);
	free(tmp);
	free(ids);
	free(maps);
	free(mapp);
	free(fns);
	free(fnp);
	free(lines);
	free(linep);
	free(locs);
	free(locp);
	pp_enc_fini(&e);
	return err;
}
