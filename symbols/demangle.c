// SPDX-License-Identifier: GPL-2.0
/*
 * Demangling through libiberty, the demangler binutils and gdb use. Its C++ and Rust
 * demanglers are called directly: cplus_demangle() would also link libiberty's D demangler,
 * which pulls in libiberty's xmalloc.o and clashes with ktop's own xmalloc().
 */
#include "symbols/demangle.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

/* Mangled names are at most this long before we stop trying (libiberty recurses on them). */
#define DEMANGLE_MAX_INPUT 4096

/* Copy len bytes of s into buf, cut to fit; the length written. */
static size_t demangle_copy(char *buf, size_t buf_size, const char *s, size_t len)
{
	if (!buf_size)
		return 0;
	if (len >= buf_size)
		len = buf_size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return len;
}

/* Whether a "_ZN...E" name ends in a legacy Rust hash ("17h" and 16 hex digits). */
static bool demangle_is_rust_legacy(const char *name, size_t len)
{
	const char *h;

	if (len < 24 || strncmp(name, "_ZN", 3) || name[len - 1] != 'E')
		return false;
	h = name + len - 1 - 19;
	if (strncmp(h, "17h", 3))
		return false;
	for (int i = 3; i < 19; i++)
		if (!isxdigit((unsigned char)h[i]))
			return false;
	return true;
}

size_t sym_demangle(const char *raw, char *buf, size_t buf_size)
{
	char name[DEMANGLE_MAX_INPUT];
	size_t len = strlen(raw);
	const char *at;
	char *out;
	size_t n;

	/* "memcpy@@GLIBC_2.14" and "memcpy@GLIBC_2.2.5" name memcpy. */
	at = len ? memchr(raw + 1, '@', len - 1) : NULL;
	if (at)
		len = (size_t)(at - raw);
	if (len < 3 || len >= sizeof(name) || raw[0] != '_' || (raw[1] != 'Z' && raw[1] != 'R'))
		return demangle_copy(buf, buf_size, raw, len);
	memcpy(name, raw, len);
	name[len] = '\0';
	if (name[1] == 'R' || demangle_is_rust_legacy(name, len))
		out = rust_demangle(name, DMGL_PARAMS | DMGL_ANSI);
	else
		out = cplus_demangle_v3(name, DMGL_PARAMS | DMGL_ANSI);
	if (!out)
		return demangle_copy(buf, buf_size, raw, len);
	n = demangle_copy(buf, buf_size, out, strlen(out));
	free(out);
	return n;
}
