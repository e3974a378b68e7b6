/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A unit's DWARF line program (.debug_line, versions 2 to 5) read in place: its file names
 * and the row that holds an address, found by running the program each time instead of
 * keeping its rows (libdw keeps every row of every unit it was asked about: 15 MB for the
 * units of python3.11 a profile touches).
 */
#ifndef KTOP_SYMBOLS_LINEPROG_H
#define KTOP_SYMBOLS_LINEPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sections a line program reads, decompressed (lengths 0 when absent). */
struct lineprog_sections {
	const uint8_t *line;
	size_t line_len;
	const uint8_t *line_str; /* .debug_line_str (DWARF 5) */
	size_t line_str_len;
	const uint8_t *str; /* .debug_str */
	size_t str_len;
};

/* One unit's header: where its program is and how to run it, and its file names. */
struct lineprog {
	uint64_t off; /* of the unit in .debug_line; UINT64_MAX when none is read */
	const uint8_t *prog;
	const uint8_t *end;
	uint16_t version;
	bool dwarf64;
	uint8_t addr_size;
	uint8_t min_inst;
	uint8_t max_ops;
	bool default_is_stmt;
	int8_t line_base;
	uint8_t line_range;
	uint8_t opcode_base;
	uint8_t std_lens[256]; /* arguments of each standard opcode */
	const char **files;    /* by the program's file index ("" for none) */
	size_t nfiles;
	size_t files_cap;
};

/* An empty header, holding no unit. */
void lineprog_init(struct lineprog *lp);
void lineprog_fini(struct lineprog *lp);

/*
 * Read the header of the unit at offset off of s->line into lp (kept when it is the one lp
 * holds). 0, or -EINVAL for a header this reader does not know (lp then holds none).
 */
int lineprog_read(struct lineprog *lp, const struct lineprog_sections *s, uint64_t off);

/*
 * The row that holds addr, as libdw's dwarf_getsrc_die chooses it: of the rows at the
 * highest address not above addr, the last one listed, unless it ends a sequence. Its file
 * index and line; false when there is none or the program is malformed.
 */
bool lineprog_find(const struct lineprog *lp, uint64_t addr, uint64_t *file, uint32_t *line);

/* The name of file idx of the unit lp holds (as written: maybe a path), or NULL. */
const char *lineprog_file(const struct lineprog *lp, uint64_t idx);

#endif
