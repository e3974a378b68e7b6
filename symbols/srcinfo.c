// SPDX-License-Identifier: GPL-2.0
/*
 * Lines and inlined calls with libdw: the CU that holds an address gives the line executing
 * there (its line table) and the scopes around it (dwarf_getscopes), innermost first; each
 * DW_TAG_inlined_subroutine among them is a function inlined at that address, whose call
 * site (DW_AT_call_file, DW_AT_call_line) is the line executing in the level above. GCC's
 * link-time optimization puts the code in `<artificial>` units whose inlined calls name their
 * functions in other units, where dwarf_getscopes finds nothing: there the unit's DIEs are
 * walked down by address range.
 *
 * A stripped module's debug file is opened here rather than by libdwfl, read with pread
 * (nothing of it stays mapped) and with the sections these lookups never read (location
 * lists, macros, name indexes, CFI) hidden, so libdw does not decompress them; its lines and
 * call sites' files come from its line programs run in place (symbols/lineprog.c) rather than
 * libdw's tables of every row; the file goes when it has been idle a while. Debian's
 * python3.11-dbg holds 22 MB of decompressed DWARF, 5.5 MB of it location lists. A module
 * with its DWARF inside, or whose debug file is not found that way (or links a dwz file), is
 * read through its Dwfl as before.
 */
#include "symbols/srcinfo.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/debuginfo.h"
#include "symbols/lineprog.h"
#include "util/xalloc.h"

#define SRCINFO_FILES_MAX 32 /* debug files known; the least recently read is closed first */

/* A module's debug file, by its build-id (or path). */
struct srcinfo_file {
	char *key;	 /* "b:" and the build-id in hex, or "p:" and the main file's path */
	Dwarf *dw;	 /* NULL: the module is read through its Dwfl */
	Elf *elf;	 /* the debug file's, when dw is ours */
	int fd;		 /* its fd, or -1 */
	int64_t delta;	 /* the debug file's addresses minus the main file's */
	uint64_t used_ns; /* when it was last read */
	struct lineprog_sections secs; /* its line sections, decompressed by libdw */
	struct lineprog lp;		/* the header of the unit read last */
};

/* A unit's file names: from its line program as ktop reads it, or from libdw. */
struct srcinfo_names {
	const struct lineprog *lp;
	Dwarf_Files *files;
	size_t nfiles;
};

struct srcinfo_cache {
	char *debug_root;
	struct srcinfo_file files[SRCINFO_FILES_MAX];
	size_t nfiles;
};

/* Sections no lookup here reads: hidden from libdw, which would decompress them all. */
static const char *const srcinfo_unread[] = {
	"loc",	    "loclists",	    "macro",	     "macinfo",	     "pubnames",
	"pubtypes", "gnu_pubnames", "gnu_pubtypes", "names",	     "frame",
};

/* Copy the base name of path into out ("" for NULL). */
static void srcinfo_base(char *out, size_t len, const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	snprintf(out, len, "%s", slash ? slash + 1 : path ? path : "");
}

/* The name of an inlined call's function: its own, or its abstract origin's. */
static const char *srcinfo_inlined_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;
	const char *name = dwarf_diename(die);

	if (name)
		return name;
	if (dwarf_attr_integrate(die, DW_AT_abstract_origin, &attr) &&
	    dwarf_formref_die(&attr, &origin))
		return dwarf_diename(&origin);
	return NULL;
}

/* File idx of a unit's names, or NULL. */
static const char *srcinfo_name(const struct srcinfo_names *t, Dwarf_Word idx)
{
	if (t->lp)
		return lineprog_file(t->lp, idx);
	return t->files && idx < t->nfiles ? dwarf_filesrc(t->files, idx, NULL, NULL) : NULL;
}

/* The call site of an inlined call: file (base name) and line, from its unit's file names. */
static void srcinfo_call_site(Dwarf_Die *die, const struct srcinfo_names *t, char *file,
			      size_t file_len, uint32_t *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx = 0, ln = 0;
	const char *name;

	file[0] = '\0';
	*line = 0;
	if (dwarf_attr(die, DW_AT_call_file, &attr) && !dwarf_formudata(&attr, &idx) &&
	    (name = srcinfo_name(t, idx)))
		srcinfo_base(file, file_len, name);
	if (dwarf_attr(die, DW_AT_call_line, &attr) && !dwarf_formudata(&attr, &ln))
		*line = (uint32_t)ln;
}

#define SRCINFO_SCOPES_MAX 64 /* nested scopes followed down from a unit */

/* Whether DIEs of this tag can hold code, or scopes that do. */
static bool srcinfo_is_scope(int tag)
{
	switch (tag) {
	case DW_TAG_subprogram:
	case DW_TAG_inlined_subroutine:
	case DW_TAG_lexical_block:
	case DW_TAG_namespace:
	case DW_TAG_module:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
		return true;
	default:
		return false;
	}
}

/*
 * The scopes from the unit cudie down to the innermost that holds pc, by address range:
 * written innermost first into a new array in *out, as dwarf_getscopes does; how many.
 */
static int srcinfo_walk_scopes(Dwarf_Die *cudie, Dwarf_Addr pc, Dwarf_Die **out)
{
	Dwarf_Die chain[SRCINFO_SCOPES_MAX];
	Dwarf_Die parent = *cudie;
	Dwarf_Die child;
	int n = 0;

	while (n < SRCINFO_SCOPES_MAX && dwarf_child(&parent, &child) == 0) {
		bool found = false;

		do {
			int tag = dwarf_tag(&child);

			if (!srcinfo_is_scope(tag))
				continue;
			/* Types and namespaces hold no code of their own: look inside them. */
			if (tag == DW_TAG_namespace || tag == DW_TAG_module ||
			    tag == DW_TAG_class_type || tag == DW_TAG_structure_type) {
				if (!dwarf_haschildren(&child))
					continue;
			} else if (dwarf_haspc(&child, pc) != 1) {
				continue;
			}
			chain[n++] = child;
			found = true;
			break;
		} while (dwarf_siblingof(&child, &child) == 0);
		if (!found)
			break;
		parent = chain[n - 1];
	}
	*out = NULL;
	if (!n)
		return 0;
	*out = malloc((size_t)n * sizeof(**out));
	if (!*out)
		return -1;
	for (int i = 0; i < n; i++)
		(*out)[i] = chain[n - 1 - i];
	return n;
}

struct srcinfo_cache *srcinfo_cache_new(void)
{
	struct srcinfo_cache *c = xcalloc(1, sizeof(*c));

	c->debug_root = xstrdup(DEBUGINFO_ROOT);
	return c;
}

void srcinfo_cache_set_debug_root(struct srcinfo_cache *c, const char *dir)
{
	if (!strcmp(c->debug_root, dir))
		return;
	free(c->debug_root);
	c->debug_root = xstrdup(dir);
}

/* Close f's debug file and forget f. */
static void srcinfo_file_close(struct srcinfo_file *f)
{
	if (f->dw)
		dwarf_end(f->dw);
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	lineprog_fini(&f->lp);
	free(f->key);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	lineprog_init(&f->lp);
}

void srcinfo_cache_free(struct srcinfo_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nfiles; i++)
		srcinfo_file_close(&c->files[i]);
	free(c->debug_root);
	free(c);
}

size_t srcinfo_cache_release(struct srcinfo_cache *c, uint64_t now_ns, uint64_t idle_ns)
{
	size_t closed = 0, n = 0;

	for (size_t i = 0; i < c->nfiles; i++) {
		struct srcinfo_file *f = &c->files[i];

		if (now_ns - f->used_ns < idle_ns) {
			c->files[n++] = *f;
			continue;
		}
		closed += f->dw != NULL;
		srcinfo_file_close(f);
	}
	c->nfiles = n;
	/* libdw's tables and the decompressed sections were many small and a few large blocks. */
	if (closed)
		malloc_trim(0);
	return closed;
}

size_t srcinfo_cache_open_files(const struct srcinfo_cache *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nfiles; i++)
		n += c->files[i].dw != NULL;
	return n;
}

/* Whether elf has a section of this name. */
static bool srcinfo_has_section(Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

/* Whether a section name (".debug_x" or ".zdebug_x") is one no lookup here reads. */
static bool srcinfo_is_unread(const char *name)
{
	const char *x = !strncmp(name, ".debug_", 7) ? name + 7 :
			!strncmp(name, ".zdebug_", 8) ? name + 8 : NULL;

	for (size_t i = 0; x && i < sizeof(srcinfo_unread) / sizeof(srcinfo_unread[0]); i++)
		if (!strcmp(x, srcinfo_unread[i]))
			return true;
	return false;
}

/*
 * Make the unread sections of elf (read with ELF_C_READ: its headers are ktop's copy, never
 * written back) SHT_NOBITS, which libdw skips.
 */
static void srcinfo_hide_unread(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!n || !srcinfo_is_unread(n))
			continue;
		sh.sh_type = SHT_NOBITS;
		gelf_update_shdr(scn, &sh);
	}
}

/* The data of section name of elf (decompressed if libdw read it), or NULL. */
static const uint8_t *srcinfo_section(Elf *elf, const char *name, size_t *len)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	*len = 0;
	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!n || strcmp(n, name))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			return NULL;
		*len = d->d_size;
		return d->d_buf;
	}
	return NULL;
}

/* Find f's line sections, which libdw has decompressed, for its line programs. */
static void srcinfo_line_sections(struct srcinfo_file *f)
{
	struct lineprog_sections *s = &f->secs;

	s->line = srcinfo_section(f->elf, ".debug_line", &s->line_len);
	s->line_str = srcinfo_section(f->elf, ".debug_line_str", &s->line_str_len);
	s->str = srcinfo_section(f->elf, ".debug_str", &s->str_len);
}

/* The address of elf's first PT_LOAD segment; false when it has none. */
static bool srcinfo_first_load(Elf *elf, GElf_Addr *vaddr)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			*vaddr = ph.p_vaddr;
			return true;
		}
	}
	return false;
}

/*
 * Open the debug file of mod (main file main, with no DWARF of its own) into f: by build-id,
 * then .gnu_debuglink. f->dw stays NULL when there is none, or one libdw must read whole (a
 * dwz file linked by .gnu_debugaltlink).
 */
static void srcinfo_file_open(struct srcinfo_cache *c, struct srcinfo_file *f, Dwfl_Module *mod,
			      Elf *main, const unsigned char *id, int id_len)
{
	const char *mainfile = NULL;
	char found[PATH_MAX];
	GElf_Addr main_vaddr, debug_vaddr;
	GElf_Word crc = 0;
	struct debuginfo_query q = {
		.debug_root = c->debug_root,
		.prefix = "",
		.build_id = id_len > 0 ? id : NULL,
		.build_id_len = id_len > 0 ? (size_t)id_len : 0,
	};

	if (srcinfo_has_section(main, ".debug_info") || !srcinfo_first_load(main, &main_vaddr))
		return;
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	q.path = mainfile;
	q.debuglink = dwelf_elf_gnu_debuglink(main, &crc);
	q.debuglink_crc = crc;
	f->fd = debuginfo_open(&q, found, sizeof(found));
	if (f->fd < 0)
		return;
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF ||
	    srcinfo_has_section(f->elf, ".gnu_debugaltlink") ||
	    !srcinfo_first_load(f->elf, &debug_vaddr))
		goto out_close;
	srcinfo_hide_unread(f->elf);
	f->dw = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	if (!f->dw)
		goto out_close;
	f->delta = (int64_t)(debug_vaddr - main_vaddr);
	srcinfo_line_sections(f);
	return;

out_close:
	if (f->elf)
		elf_end(f->elf);
	close(f->fd);
	f->elf = NULL;
	f->fd = -1;
}

/* The key of mod's debug file: its build-id, else its path; false when it has neither. */
static bool srcinfo_key(Dwfl_Module *mod, const unsigned char *id, int id_len, char *key,
			size_t len)
{
	const char *mainfile = NULL;
	size_t at = 2;

	if (id_len > 0 && (size_t)id_len * 2 + 3 <= len) {
		snprintf(key, len, "b:");
		for (int i = 0; i < id_len; i++, at += 2)
			snprintf(key + at, len - at, "%02x", id[i]);
		return true;
	}
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	if (!mainfile)
		return false;
	snprintf(key, len, "p:%s", mainfile);
	return true;
}

/* The debug file entry of mod, opened if it is new; NULL when it can have none. */
static struct srcinfo_file *srcinfo_file_get(struct srcinfo_cache *c, Dwfl_Module *mod,
					     uint64_t now_ns)
{
	const unsigned char *id = NULL;
	GElf_Addr id_vaddr, bias;
	struct srcinfo_file *f;
	char key[PATH_MAX + 3];
	int id_len;
	Elf *main;

	id_len = dwfl_module_build_id(mod, &id, &id_vaddr);
	if (!srcinfo_key(mod, id, id_len, key, sizeof(key)))
		return NULL;
	for (size_t i = 0; i < c->nfiles; i++) {
		if (!strcmp(c->files[i].key, key)) {
			c->files[i].used_ns = now_ns;
			return &c->files[i];
		}
	}
	main = dwfl_module_getelf(mod, &bias);
	if (!main)
		return NULL;
	if (c->nfiles == SRCINFO_FILES_MAX) {
		struct srcinfo_file *lru = &c->files[0];

		for (size_t i = 1; i < c->nfiles; i++)
			if (c->files[i].used_ns < lru->used_ns)
				lru = &c->files[i];
		srcinfo_file_close(lru);
		*lru = c->files[--c->nfiles];
	}
	f = &c->files[c->nfiles++];
	*f = (struct srcinfo_file){ .key = xstrdup(key), .fd = -1, .used_ns = now_ns };
	lineprog_init(&f->lp);
	srcinfo_file_open(c, f, mod, main, id, id_len);
	return f;
}

/* The unit of dw holding addr, in mem; NULL when none does. */
static Dwarf_Die *srcinfo_unit_of(Dwarf *dw, Dwarf_Addr addr, Dwarf_Die *mem)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (dwarf_addrdie(dw, addr, mem))
		return mem;
	/* .debug_aranges may leave out code of a unit (GCC's LTO units): ask each unit. */
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, mem) && dwarf_haspc(mem, addr) == 1)
			return mem;
		off = next;
	}
	return NULL;
}

/*
 * The line of addr in unit cudie of f, and the unit's file names, from its line program as
 * ktop reads it (libdw would keep every row of the unit); false when that program cannot be
 * read here.
 */
static bool srcinfo_own_line(struct srcinfo_file *f, Dwarf_Die *cudie, Dwarf_Addr addr,
			     char *file, size_t file_len, uint32_t *line, struct srcinfo_names *t)
{
	Dwarf_Attribute attr;
	Dwarf_Word off;
	uint64_t idx;
	const char *name;

	if (!dwarf_attr(cudie, DW_AT_stmt_list, &attr) || dwarf_formudata(&attr, &off) ||
	    lineprog_read(&f->lp, &f->secs, off))
		return false;
	t->lp = &f->lp;
	if (lineprog_find(&f->lp, addr, &idx, line) && (name = lineprog_file(&f->lp, idx)))
		srcinfo_base(file, file_len, name);
	else
		*line = 0;
	return true;
}

/*
 * The unit holding pc in mod, in *mem when read from c's debug file; its address there in
 * *addr, the file and line of pc, and the unit's file names in *t.
 */
static Dwarf_Die *srcinfo_unit(struct srcinfo_cache *c, Dwfl_Module *mod, uint64_t pc,
			       uint64_t now_ns, Dwarf_Die *mem, Dwarf_Addr *addr, char *file,
			       size_t file_len, uint32_t *line, struct srcinfo_names *t)
{
	struct srcinfo_file *f = srcinfo_file_get(c, mod, now_ns);
	Dwarf_Die *cudie;
	Dwarf_Addr bias;
	int lineno = 0;

	if (f && f->dw) {
		Dwarf_Line *dl;

		if (!dwfl_module_getelf(mod, &bias))
			return NULL;
		*addr = pc - bias + (uint64_t)f->delta;
		cudie = srcinfo_unit_of(f->dw, *addr, mem);
		if (!cudie)
			return NULL;
		if (srcinfo_own_line(f, cudie, *addr, file, file_len, line, t))
			return cudie;
		dl = dwarf_getsrc_die(cudie, *addr);
		if (dl && !dwarf_lineno(dl, &lineno)) {
			srcinfo_base(file, file_len, dwarf_linesrc(dl, NULL, NULL));
			*line = lineno > 0 ? (uint32_t)lineno : 0;
		}
	} else {
		Dwfl_Line *dl;

		cudie = dwfl_module_addrdie(mod, pc, &bias);
		if (!cudie)
			return NULL;
		*addr = pc - bias;
		dl = dwfl_module_getsrc(mod, pc);
		if (dl) {
			srcinfo_base(file, file_len,
				     dwfl_lineinfo(dl, NULL, &lineno, NULL, NULL, NULL));
			*line = lineno > 0 ? (uint32_t)lineno : 0;
		}
	}
	if (dwarf_getsrcfiles(cudie, &t->files, &t->nfiles))
		t->files = NULL;
	return cudie;
}

size_t srcinfo_at(struct srcinfo_cache *c, struct Dwfl *dwfl, uint64_t pc, uint64_t now_ns,
		  struct srcinfo_level *out, size_t max)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	struct srcinfo_names names = { 0 };
	Dwarf_Die *scopes = NULL;
	Dwarf_Die *cudie;
	Dwarf_Die cumem;
	Dwarf_Addr addr = 0;
	char file[SRCINFO_FILE_LEN] = "";
	size_t n = 0;
	uint32_t line = 0;
	int nscopes;

	if (!mod || !max)
		return 0;
	cudie = srcinfo_unit(c, mod, pc, now_ns, &cumem, &addr, file, sizeof(file), &line, &names);
	if (!cudie)
		return 0;
	nscopes = dwarf_getscopes(cudie, addr, &scopes);
	if (nscopes <= 0) {
		free(scopes);
		nscopes = srcinfo_walk_scopes(cudie, addr, &scopes);
	}
	for (int i = 0; i < nscopes && n + 1 < max; i++) {
		const char *name;

		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		name = srcinfo_inlined_name(&scopes[i]);
		snprintf(out[n].inlined, sizeof(out[n].inlined), "%s", name ? name : "?");
		snprintf(out[n].file, sizeof(out[n].file), "%s", file);
		out[n].line = line;
		n++;
		/* The level above executes the call of this inlined function. */
		srcinfo_call_site(&scopes[i], &names, file, sizeof(file), &line);
	}
	free(scopes);
	out[n].inlined[0] = '\0';
	snprintf(out[n].file, sizeof(out[n].file), "%s", file);
	out[n].line = line;
	return n + 1;
}
