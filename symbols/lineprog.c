// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF line programs run in place (DWARF 5, section 6.2). Every read is bounded by the end
 * of what it reads: a truncated or hostile program stops the reader, never the process.
 */
#include "symbols/lineprog.h"

#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* A bounded cursor; ok turns false at the first read past end. */
struct lp_cur {
	const uint8_t *p;
	const uint8_t *end;
	bool ok;
};

/* An unsigned little-endian value of n bytes (1 to 8). */
static uint64_t lp_uint(struct lp_cur *c, size_t n)
{
	uint64_t v = 0;

	if (!c->ok || (size_t)(c->end - c->p) < n) {
		c->ok = false;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

/* An unsigned LEB128 value. */
static uint64_t lp_uleb(struct lp_cur *c)
{
	uint64_t v = 0;

	for (unsigned shift = 0; c->ok; shift += 7) {
		uint8_t b;

		if (c->p >= c->end) {
			c->ok = false;
			break;
		}
		b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	return 0;
}

/* A signed LEB128 value. */
static int64_t lp_sleb(struct lp_cur *c)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;

	while (c->ok) {
		if (c->p >= c->end) {
			c->ok = false;
			return 0;
		}
		b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

/* A NUL-terminated string in place. */
static const char *lp_str(struct lp_cur *c)
{
	const uint8_t *nul;
	const char *s;

	if (!c->ok || c->p >= c->end || !(nul = memchr(c->p, 0, (size_t)(c->end - c->p)))) {
		c->ok = false;
		return NULL;
	}
	s = (const char *)c->p;
	c->p = nul + 1;
	return s;
}

/* The string at offset off of a string section, or NULL. */
static const char *lp_strp(const uint8_t *sec, size_t len, uint64_t off)
{
	if (!sec || off >= len || !memchr(sec + off, 0, len - off))
		return NULL;
	return (const char *)sec + off;
}

/* Append a file name (NULL: none) to lp's table. */
static void lp_add_file(struct lineprog *lp, const char *name)
{
	if (lp->nfiles == lp->files_cap) {
		lp->files_cap = lp->files_cap ? 2 * lp->files_cap : 64;
		lp->files = xreallocarray(lp->files, lp->files_cap, sizeof(*lp->files));
	}
	lp->files[lp->nfiles++] = name;
}

/*
 * Read one attribute value of form in a DWARF 5 entry; the string it names (for a path), or
 * NULL. False for a form this reader cannot size.
 */
static bool lp_form(struct lp_cur *c, const struct lineprog *lp, const struct lineprog_sections *s,
		    uint64_t form, const char **str)
{
	size_t offsz = lp->dwarf64 ? 8 : 4;

	*str = NULL;
	switch (form) {
	case DW_FORM_string:
		*str = lp_str(c);
		break;
	case DW_FORM_line_strp:
		*str = lp_strp(s->line_str, s->line_str_len, lp_uint(c, offsz));
		break;
	case DW_FORM_strp:
		*str = lp_strp(s->str, s->str_len, lp_uint(c, offsz));
		break;
	case DW_FORM_udata:
		lp_uleb(c);
		break;
	case DW_FORM_data1:
	case DW_FORM_strx1:
		lp_uint(c, 1);
		break;
	case DW_FORM_data2:
	case DW_FORM_strx2:
		lp_uint(c, 2);
		break;
	case DW_FORM_strx3:
		lp_uint(c, 3);
		break;
	case DW_FORM_data4:
	case DW_FORM_strx4:
		lp_uint(c, 4);
		break;
	case DW_FORM_data8:
		lp_uint(c, 8);
		break;
	case DW_FORM_data16:
		lp_uint(c, 8);
		lp_uint(c, 8);
		break;
	case DW_FORM_strx:
		lp_uleb(c);
		break;
	case DW_FORM_block: {
		uint64_t n = lp_uleb(c);

		if (!c->ok || n > (uint64_t)(c->end - c->p))
			return false;
		c->p += n;
		break;
	}
	default:
		return false;
	}
	return c->ok;
}

/* Read a DWARF 5 entry list (directories or files); file names go to lp when files. */
static bool lp_entries(struct lp_cur *c, struct lineprog *lp, const struct lineprog_sections *s,
		       bool files)
{
	uint64_t types[16], forms[16];
	uint8_t nfmt = (uint8_t)lp_uint(c, 1);
	uint64_t count;

	if (nfmt > 16)
		return false;
	for (uint8_t i = 0; i < nfmt; i++) {
		types[i] = lp_uleb(c);
		forms[i] = lp_uleb(c);
	}
	count = lp_uleb(c);
	/* An entry takes a byte at least: more than the bytes left is a broken header. */
	if (!c->ok || count > (uint64_t)(c->end - c->p))
		return false;
	for (uint64_t e = 0; c->ok && e < count; e++) {
		const char *path = NULL;

		for (uint8_t i = 0; i < nfmt; i++) {
			const char *str;

			if (!lp_form(c, lp, s, forms[i], &str))
				return false;
			if (types[i] == DW_LNCT_path)
				path = str;
		}
		if (files)
			lp_add_file(lp, path);
	}
	return c->ok;
}

/* Read the directory and file tables of DWARF 2 to 4 (file 0 is none). */
static bool lp_tables_v4(struct lp_cur *c, struct lineprog *lp)
{
	const char *name;

	while ((name = lp_str(c)) && *name)
		; /* include_directories: only the files' base names are used */
	lp_add_file(lp, NULL);
	while ((name = lp_str(c)) && *name) {
		lp_uleb(c); /* directory index */
		lp_uleb(c); /* modification time */
		lp_uleb(c); /* length */
		lp_add_file(lp, name);
	}
	return c->ok;
}

void lineprog_init(struct lineprog *lp)
{
	memset(lp, 0, sizeof(*lp));
	lp->off = UINT64_MAX;
}

void lineprog_fini(struct lineprog *lp)
{
	free(lp->files);
	lineprog_init(lp);
}

int lineprog_read(struct lineprog *lp, const struct lineprog_sections *s, uint64_t off)
{
	struct lp_cur c = { .ok = true };
	uint64_t unit_len, hdr_len;
	const uint8_t *hdr_end;

	if (lp->off == off)
		return 0;
	lp->off = UINT64_MAX;
	lp->nfiles = 0;
	if (!s->line || off >= s->line_len)
		return -EINVAL;
	c.p = s->line + off;
	c.end = s->line + s->line_len;
	unit_len = lp_uint(&c, 4);
	lp->dwarf64 = unit_len == 0xffffffff;
	if (lp->dwarf64)
		unit_len = lp_uint(&c, 8);
	if (!c.ok || unit_len > (uint64_t)(c.end - c.p))
		return -EINVAL;
	c.end = c.p + unit_len;
	lp->end = c.end;
	lp->version = (uint16_t)lp_uint(&c, 2);
	if (lp->version < 2 || lp->version > 5)
		return -EINVAL;
	lp->addr_size = 8;
	if (lp->version >= 5) {
		lp->addr_size = (uint8_t)lp_uint(&c, 1);
		lp_uint(&c, 1); /* segment selector size */
	}
	hdr_len = lp_uint(&c, lp->dwarf64 ? 8 : 4);
	if (!c.ok || hdr_len > (uint64_t)(c.end - c.p))
		return -EINVAL;
	hdr_end = c.p + hdr_len;
	lp->min_inst = (uint8_t)lp_uint(&c, 1);
	lp->max_ops = lp->version >= 4 ? (uint8_t)lp_uint(&c, 1) : 1;
	lp->default_is_stmt = lp_uint(&c, 1) != 0;
	lp->line_base = (int8_t)lp_uint(&c, 1);
	lp->line_range = (uint8_t)lp_uint(&c, 1);
	lp->opcode_base = (uint8_t)lp_uint(&c, 1);
	if (!c.ok || !lp->line_range || !lp->max_ops || !lp->opcode_base)
		return -EINVAL;
	memset(lp->std_lens, 0, sizeof(lp->std_lens));
	for (unsigned i = 1; i < lp->opcode_base; i++)
		lp->std_lens[i] = (uint8_t)lp_uint(&c, 1);
	if (lp->version >= 5) {
		if (!lp_entries(&c, lp, s, false) || !lp_entries(&c, lp, s, true))
			return -EINVAL;
	} else if (!lp_tables_v4(&c, lp)) {
		return -EINVAL;
	}
	if (!c.ok || hdr_end > lp->end)
		return -EINVAL;
	lp->prog = hdr_end;
	lp->off = off;
	return 0;
}

const char *lineprog_file(const struct lineprog *lp, uint64_t idx)
{
	return lp->off != UINT64_MAX && idx < lp->nfiles ? lp->files[idx] : NULL;
}

/* The registers of the state machine that a row keeps. */
struct lp_row {
	uint64_t addr;
	uint64_t file;
	uint64_t line; /* signed in effect; unsigned so that a hostile program wraps it */
	bool end_seq;
};

/* The best row for addr so far: the highest address not above it, the last listed there. */
struct lp_best {
	struct lp_row row;
	bool found;
};

/*
 * Consider a row: libdw sorts rows by address, a sequence's end before other rows at its
 * address, then in the order listed, and takes the last at the highest address not above.
 */
static void lp_consider(struct lp_best *b, const struct lp_row *r, uint64_t addr)
{
	if (r->addr > addr)
		return;
	if (!b->found || r->addr > b->row.addr || !r->end_seq) {
		if (b->found && r->addr < b->row.addr)
			return;
		b->row = *r;
		b->found = true;
	}
}

/* Move the address by an operation advance. */
static void lp_advance(const struct lineprog *lp, struct lp_row *r, uint64_t *op_index,
		       uint64_t adv)
{
	uint64_t ops = *op_index + adv;

	r->addr += (uint64_t)lp->min_inst * (ops / lp->max_ops);
	*op_index = ops % lp->max_ops;
}

bool lineprog_find(const struct lineprog *lp, uint64_t addr, uint64_t *file, uint32_t *line)
{
	struct lp_cur c = { .p = lp->prog, .end = lp->end, .ok = true };
	struct lp_row r = { .file = 1, .line = 1 };
	struct lp_best best = { .found = false };
	uint64_t op_index = 0;

	if (lp->off == UINT64_MAX)
		return false;
	while (c.ok && c.p < c.end) {
		uint8_t op = (uint8_t)lp_uint(&c, 1);

		if (op >= lp->opcode_base) {
			uint8_t adj = (uint8_t)(op - lp->opcode_base);

			lp_advance(lp, &r, &op_index, adj / lp->line_range);
			r.line += (uint64_t)(int64_t)(lp->line_base + adj % lp->line_range);
			lp_consider(&best, &r, addr);
			continue;
		}
		switch (op) {
		case 0: {
			uint64_t len = lp_uleb(&c);
			const uint8_t *next;
			uint8_t sub;

			if (!c.ok || !len || len > (uint64_t)(c.end - c.p))
				return false;
			next = c.p + len;
			sub = (uint8_t)lp_uint(&c, 1);
			if (sub == DW_LNE_end_sequence) {
				r.end_seq = true;
				lp_consider(&best, &r, addr);
				r = (struct lp_row){ .file = 1, .line = 1 };
				op_index = 0;
			} else if (sub == DW_LNE_set_address && len - 1 <= 8) {
				r.addr = lp_uint(&c, (size_t)(len - 1));
				op_index = 0;
			}
			c.p = next;
			break;
		}
		case DW_LNS_copy:
			lp_consider(&best, &r, addr);
			break;
		case DW_LNS_advance_pc:
			lp_advance(lp, &r, &op_index, lp_uleb(&c));
			break;
		case DW_LNS_advance_line:
			r.line += (uint64_t)lp_sleb(&c);
			break;
		case DW_LNS_set_file:
			r.file = lp_uleb(&c);
			break;
		case DW_LNS_const_add_pc:
			lp_advance(lp, &r, &op_index, (uint8_t)(255 - lp->opcode_base) / lp->line_range);
			break;
		case DW_LNS_fixed_advance_pc:
			r.addr += lp_uint(&c, 2);
			op_index = 0;
			break;
		default:
			/* set_column, negate_stmt, ...: their arguments are skipped */
			for (unsigned i = 0; i < lp->std_lens[op]; i++)
				lp_uleb(&c);
			break;
		}
	}
	if (!c.ok || !best.found || best.row.end_seq)
		return false;
	*file = best.row.file;
	*line = (int64_t)best.row.line > 0 && best.row.line <= UINT32_MAX ? (uint32_t)best.row.line : 0;
	return true;
}
