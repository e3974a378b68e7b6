// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms in one string buffer and one sorted array, both cut to size once read. A
 * kernel built with call padding lists "__pfx_NAME" just before each NAME (half of its text
 * symbols): NAME is then kept as the tail of "__pfx_NAME", stored once.
 */
#include "symbols/ksyms.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Past the last symbol, only this many bytes still belong to it. */
#define KSYMS_TAIL 4096

/*
 * 16 bytes, 122 000 of them. Names are appended in the file's order (a name kept as the tail
 * of the "__pfx_" name just before it comes after that one), so at one address the smaller
 * name offset is the line listed first (and a barrier, the largest, comes last).
 */
struct ksym {
	uint64_t addr;
	uint32_t name;	 /* offset in ks->strs; KSYMS_BARRIER for a non-text symbol */
	uint32_t module; /* offset in ks->strs of the module name ("" for vmlinux) */
};

#define KSYMS_BARRIER UINT32_MAX
#define KSYMS_PFX     "__pfx_"
#define KSYMS_PFX_LEN 6

struct ksyms {
	struct ksym *syms;
	size_t nsyms;
	char *strs;
	size_t strs_len;
	size_t ntext;
};

/* Append a NUL-terminated copy of len bytes to the string buffer; its offset. */
static uint32_t ksyms_add_str(char **strs, size_t *len, size_t *cap, const char *s, size_t n)
{
	uint32_t off = (uint32_t)*len;

	if (*len + n + 1 > *cap) {
		while (*len + n + 1 > *cap)
			*cap = *cap ? *cap * 2 : 1 << 20;
		*strs = xreallocarray(*strs, *cap, 1);
	}
	memcpy(*strs + *len, s, n);
	(*strs)[*len + n] = '\0';
	*len += n + 1;
	return off;
}

/*
 * The offset of name (n bytes) in the string buffer: the tail of the previous line's name
 * (offset prev, a text symbol's, else KSYMS_BARRIER) when that is "__pfx_" and this name,
 * else a new copy.
 */
static uint32_t ksyms_add_name(struct ksyms *ks, size_t *cap, uint32_t prev, const char *name,
			       size_t n)
{
	const char *p = prev != KSYMS_BARRIER ? ks->strs + prev : NULL;

	if (p && strlen(p) == KSYMS_PFX_LEN + n && !strncmp(p, KSYMS_PFX, KSYMS_PFX_LEN) &&
	    !memcmp(p + KSYMS_PFX_LEN, name, n))
		return prev + KSYMS_PFX_LEN;
	return ksyms_add_str(&ks->strs, &ks->strs_len, cap, name, n);
}

/* Give back what the arrays were grown by beyond what they hold. */
static void ksyms_shrink(struct ksyms *ks)
{
	ks->syms = xreallocarray(ks->syms, ks->nsyms, sizeof(*ks->syms));
	ks->strs = xreallocarray(ks->strs, ks->strs_len, 1);
}

/* By address, then by name offset: the first listed text name first, barriers last. */
static int ksyms_cmp(const void *a, const void *b)
{
	const struct ksym *x = a;
	const struct ksym *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Whether a kallsyms type letter is a function. */
static bool ksyms_type_is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

/*
 * Keep one entry per address (a text name over a barrier, the first text name among equals)
 * and only barriers that end a text symbol.
 */
static void ksyms_compact(struct ksyms *ks)
{
	size_t n = 0;

	for (size_t i = 0; i < ks->nsyms; i++) {
		struct ksym *s = &ks->syms[i];

		if (n && ks->syms[n - 1].addr == s->addr) {
			if (ks->syms[n - 1].name == KSYMS_BARRIER && s->name != KSYMS_BARRIER)
				ks->syms[n - 1] = *s;
			continue;
		}
		if (s->name == KSYMS_BARRIER && (!n || ks->syms[n - 1].name == KSYMS_BARRIER))
			continue;
		ks->syms[n++] = *s;
	}
	ks->nsyms = n;
	ks->ntext = 0;
	for (size_t i = 0; i < n; i++)
		ks->ntext += ks->syms[i].name != KSYMS_BARRIER;
}

int ksyms_load(struct ksyms **out, const char *path, char *why, size_t why_len)
{
	struct ksyms *ks;
	size_t cap = 0;
	size_t strs_cap = 0;
	char *line = NULL;
	size_t line_cap = 0;
	bool any_addr = false;
	uint32_t vmlinux, last_mod = 0;
	uint32_t prev = KSYMS_BARRIER; /* the previous line's name, if a text symbol's */
	FILE *f;
	int err;

	*out = NULL;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return err;
	}
	ks = xcalloc(1, sizeof(*ks));
	vmlinux = ksyms_add_str(&ks->strs, &ks->strs_len, &strs_cap, "", 0);
	while (getline(&line, &line_cap, f) > 0) {
		unsigned long long addr;
		char type;
		int name_at;
		int name_end;
		char *mod;
		struct ksym *s;

		/* %n after a %*s that found no name is never reached: a line "ADDR T" has none */
		name_at = name_end = -1;
		if (sscanf(line, "%llx %c %n%*s%n", &addr, &type, &name_at, &name_end) != 2 ||
		    name_at < 0 || name_end <= name_at)
			continue;
		if (addr)
			any_addr = true;
		if (ks->nsyms == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			ks->syms = xreallocarray(ks->syms, cap, sizeof(*ks->syms));
		}
		s = &ks->syms[ks->nsyms];
		s->addr = addr;
		ks->nsyms++;
		if (!ksyms_type_is_text(type)) {
			s->name = prev = KSYMS_BARRIER;
			s->module = vmlinux;
			continue;
		}
		s->name = prev = ksyms_add_name(ks, &strs_cap, prev, line + name_at,
						(size_t)(name_end - name_at));
		s->module = vmlinux;
		mod = strchr(line + name_end, '[');
		if (mod) {
			size_t len = strcspn(mod + 1, "]\n");

			/* a module's symbols come in a row: its name is kept once for them */
			if (!last_mod || strlen(ks->strs + last_mod) != len ||
			    memcmp(ks->strs + last_mod, mod + 1, len))
				last_mod = ksyms_add_str(&ks->strs, &ks->strs_len, &strs_cap,
							 mod + 1, len);
			s->module = last_mod;
		}
	}
	free(line);
	if (ferror(f)) {
		err = -EIO;
		snprintf(why, why_len, "%s: read error", path);
		goto out_free;
	}
	if (!any_addr) {
		err = -EPERM;
		snprintf(why, why_len, "%s shows no addresses (needs root or kptr_restrict=0)",
			 path);
		goto out_free;
	}
	qsort(ks->syms, ks->nsyms, sizeof(*ks->syms), ksyms_cmp);
	ksyms_compact(ks);
	ksyms_shrink(ks);
	if (!ks->ntext) {
		err = -ENOENT;
		snprintf(why, why_len, "%s has no text symbols", path);
		goto out_free;
	}
	fclose(f);
	*out = ks;
	return 0;

out_free:
	fclose(f);
	ksyms_free(ks);
	return err;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->strs);
	free(ks);
}

bool ksyms_lookup(const struct ksyms *ks, uint64_t addr, const char **name, const char **module,
		  uint64_t *start)
{
	size_t lo = 0;
	size_t hi = ks->nsyms;
	const struct ksym *s;

	/* The last entry whose address is <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	s = &ks->syms[lo - 1];
	if (s->name == KSYMS_BARRIER)
		return false;
	if (lo == ks->nsyms && addr - s->addr >= KSYMS_TAIL)
		return false;
	*name = ks->strs + s->name;
	*module = ks->strs + s->module;
	*start = s->addr;
	return true;
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks->ntext;
}

size_t ksyms_bytes(const struct ksyms *ks)
{
	return sizeof(*ks) + ks->nsyms * sizeof(*ks->syms) + ks->strs_len;
}
