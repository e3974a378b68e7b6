// SPDX-License-Identifier: GPL-2.0
/* ELF symbol tables and load segments through libelf's GElf interface. */
#include "symbols/elf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>
#include <libelf.h>

#include "util/xalloc.h"

struct elf_seg {
	uint64_t offset;
	uint64_t filesz;
	uint64_t vaddr;
};

struct elf_sym {
	uint64_t start;
	uint64_t end;  /* exclusive */
	uint64_t size; /* st_size; 0 until the end is filled from the next symbol */
	uint32_t name; /* offset in strtab */
	uint32_t rank; /* bind and name quality, lower is better, to pick among aliases */
	uint32_t shndx;
};

struct sym_elf {
	struct elf_seg *segs;
	size_t nsegs;
	struct elf_sym *syms;
	size_t nsyms;
	char *strtab;
	size_t strtab_len;
	enum sym_elf_table table;
	uint8_t build_id[SYM_ELF_BUILD_ID_MAX];
	size_t build_id_len;
	char *debuglink;
	uint32_t debuglink_crc;
};

/* Section ends (sh_addr + sh_size), to bound zero-size symbols. */
struct elf_sections {
	uint64_t *end;
	size_t n;
};

/* Read every PT_LOAD segment's file range and address. */
static int elf_read_segments(Elf *elf, struct sym_elf *e, char *why, size_t why_len)
{
	size_t n;

	if (elf_getphdrnum(elf, &n)) {
		snprintf(why, why_len, "bad program headers: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	e->segs = xcalloc(n ? n : 1, sizeof(*e->segs));
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		e->segs[e->nsegs++] = (struct elf_seg){
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.vaddr = ph.p_vaddr,
		};
	}
	return 0;
}

/* Take the GNU build-id from a note section, if it is one. */
static void elf_read_build_id(Elf_Scn *scn, struct sym_elf *e)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0;
	size_t name_off;
	size_t desc_off;
	GElf_Nhdr nh;

	if (!data)
		return;
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((char *)data->d_buf + name_off, "GNU", 4))
			continue;
		if (!nh.n_descsz || nh.n_descsz > sizeof(e->build_id))
			continue;
		memcpy(e->build_id, (char *)data->d_buf + desc_off, nh.n_descsz);
		e->build_id_len = nh.n_descsz;
		return;
	}
}

/* Take the file name and CRC from .gnu_debuglink: name, NUL, padding to 4, CRC. */
static void elf_read_debuglink(Elf *elf, Elf_Scn *scn, struct sym_elf *e)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	const char *buf;
	size_t len;
	size_t crc_off;
	uint32_t crc;
	GElf_Ehdr eh;

	if (!data || !data->d_buf || !gelf_getehdr(elf, &eh))
		return;
	buf = data->d_buf;
	len = strnlen(buf, data->d_size);
	crc_off = (len + 4) & ~(size_t)3;
	if (!len || len == data->d_size || crc_off + 4 > data->d_size || memchr(buf, '/', len))
		return;
	memcpy(&crc, buf + crc_off, sizeof(crc));
	if ((eh.e_ident[EI_DATA] == ELFDATA2MSB) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
		crc = __builtin_bswap32(crc);
	e->debuglink = xasprintf("%.*s", (int)len, buf);
	e->debuglink_crc = crc;
}

/*
 * How good a name is among aliases at one address (lower is better): fewer leading
 * underscores ("getpid" over "__getpid"), then global over weak over local, then shorter.
 */
static uint32_t elf_rank(unsigned char bind, const char *name)
{
	size_t under = strspn(name, "_");
	size_t len = strlen(name);
	uint32_t rank;

	rank = (uint32_t)(under > 127 ? 127 : under) << 24;
	rank |= (uint32_t)(bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2) << 16;
	return rank | (uint32_t)(len > 0xffff ? 0xffff : len);
}

/* By address, sized before zero-size, then by rank: the first of each address is the pick. */
static int elf_sym_cmp(const void *a, const void *b)
{
	const struct elf_sym *x = a;
	const struct elf_sym *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (!x->size != !y->size)
		return !x->size ? 1 : -1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Keep one symbol per address and give zero-size symbols their end. */
static void elf_finish_symbols(struct sym_elf *e, const struct elf_sections *secs)
{
	size_t n = 0;

	qsort(e->syms, e->nsyms, sizeof(*e->syms), elf_sym_cmp);
	for (size_t i = 0; i < e->nsyms; i++) {
		if (n && e->syms[n - 1].start == e->syms[i].start)
			continue;
		e->syms[n++] = e->syms[i];
	}
	e->nsyms = n;
	for (size_t i = 0; i < n; i++) {
		struct elf_sym *s = &e->syms[i];
		uint64_t end;

		if (s->size) {
			s->end = s->start + s->size;
			if (s->end < s->start)
				s->end = UINT64_MAX;
			continue;
		}
		end = s->shndx < secs->n ? secs->end[s->shndx] : 0;
		if (i + 1 < n && (end <= s->start || e->syms[i + 1].start < end))
			end = e->syms[i + 1].start;
		s->end = end > s->start ? end : s->start + 1;
	}
}

/* Read the function symbols of a SHT_SYMTAB or SHT_DYNSYM section and its string table. */
static int elf_read_symbols(Elf *elf, Elf_Scn *scn, const struct elf_sections *secs,
			    struct sym_elf *e, char *why, size_t why_len)
{
	GElf_Shdr sh;
	Elf_Scn *str_scn;
	Elf_Data *data;
	Elf_Data *str;
	size_t count;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize) {
		snprintf(why, why_len, "bad symbol table header");
		return -EINVAL;
	}
	str_scn = elf_getscn(elf, sh.sh_link);
	data = elf_getdata(scn, NULL);
	str = str_scn ? elf_getdata(str_scn, NULL) : NULL;
	if (!data || !str || !str->d_buf || !str->d_size) {
		snprintf(why, why_len, "unreadable symbol table: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	e->strtab = xmalloc(str->d_size + 1);
	memcpy(e->strtab, str->d_buf, str->d_size);
	e->strtab[str->d_size] = '\0';
	e->strtab_len = str->d_size;
	count = sh.sh_size / sh.sh_entsize;
	e->syms = xcalloc(count ? count : 1, sizeof(*e->syms));
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		unsigned char type;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE || !sym.st_value)
			continue;
		if (sym.st_name >= e->strtab_len || !e->strtab[sym.st_name])
			continue;
		name = e->strtab + sym.st_name;
		e->syms[e->nsyms++] = (struct elf_sym){
			.start = sym.st_value,
			.size = sym.st_size,
			.name = (uint32_t)sym.st_name,
			.rank = elf_rank(GELF_ST_BIND(sym.st_info), name),
			.shndx = sym.st_shndx,
		};
	}
	elf_finish_symbols(e, secs);
	return 0;
}

/* Drop e's symbols. */
static void elf_clear_symbols(struct sym_elf *e)
{
	free(e->syms);
	free(e->strtab);
	e->syms = NULL;
	e->strtab = NULL;
	e->nsyms = 0;
	e->strtab_len = 0;
	e->table = SYM_ELF_NONE;
}

/* Walk the sections: symbol tables, notes, .gnu_debuglink; then load the best table. */
static int elf_read_sections(Elf *elf, struct sym_elf *e, char *why, size_t why_len)
{
	struct elf_sections secs = { 0 };
	Elf_Scn *symtab = NULL;
	Elf_Scn *dynsym = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int err = 0;

	if (elf_getshdrnum(elf, &secs.n) || elf_getshdrstrndx(elf, &shstrndx)) {
		/* No section headers: segments still work, symbols do not. */
		secs.n = 0;
		shstrndx = SHN_UNDEF;
	}
	secs.end = xcalloc(secs.n ? secs.n : 1, sizeof(*secs.end));
	while ((scn = elf_nextscn(elf, scn))) {
		size_t idx = elf_ndxscn(scn);
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (idx < secs.n)
			secs.end[idx] = sh.sh_addr + sh.sh_size;
		if (sh.sh_type == SHT_SYMTAB && !symtab)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM && !dynsym)
			dynsym = scn;
		else if (sh.sh_type == SHT_NOTE && !e->build_id_len)
			elf_read_build_id(scn, e);
		else if (sh.sh_type == SHT_PROGBITS && shstrndx != SHN_UNDEF) {
			name = elf_strptr(elf, shstrndx, sh.sh_name);
			if (name && !strcmp(name, ".gnu_debuglink") && !e->debuglink)
				elf_read_debuglink(elf, scn, e);
		}
	}
	if (symtab) {
		err = elf_read_symbols(elf, symtab, &secs, e, why, why_len);
		if (!err && e->nsyms)
			e->table = SYM_ELF_SYMTAB;
		else
			elf_clear_symbols(e);
	}
	if (e->table == SYM_ELF_NONE && dynsym) {
		err = elf_read_symbols(elf, dynsym, &secs, e, why, why_len);
		if (!err && e->nsyms)
			e->table = SYM_ELF_DYNSYM;
		else
			elf_clear_symbols(e);
	}
	free(secs.end);
	/* A broken table is reported only when there is nothing else to use. */
	return e->table == SYM_ELF_NONE ? err : 0;
}

int sym_elf_open(struct sym_elf **out, int fd, char *why, size_t why_len)
{
	struct sym_elf *e;
	Elf *elf;
	int err;

	*out = NULL;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		snprintf(why, why_len, "%s", elf_errmsg(-1));
		return -EINVAL;
	}
	if (elf_kind(elf) != ELF_K_ELF) {
		snprintf(why, why_len, "not an ELF file");
		err = -ENOEXEC;
		goto out_end;
	}
	e = xcalloc(1, sizeof(*e));
	err = elf_read_segments(elf, e, why, why_len);
	if (!err)
		err = elf_read_sections(elf, e, why, why_len);
	if (err) {
		sym_elf_free(e);
		goto out_end;
	}
	elf_end(elf);
	*out = e;
	return 0;

out_end:
	elf_end(elf);
	return err;
}

void sym_elf_free(struct sym_elf *e)
{
	if (!e)
		return;
	elf_clear_symbols(e);
	free(e->segs);
	free(e->debuglink);
	free(e);
}

size_t sym_elf_bytes(const struct sym_elf *e)
{
	return sizeof(*e) + e->nsegs * sizeof(*e->segs) + e->nsyms * sizeof(*e->syms) +
	       e->strtab_len;
}

enum sym_elf_table sym_elf_table(const struct sym_elf *e)
{
	return e->table;
}

size_t sym_elf_count(const struct sym_elf *e)
{
	return e->nsyms;
}

void sym_elf_take_symbols(struct sym_elf *e, struct sym_elf *debug)
{
	elf_clear_symbols(e);
	e->syms = debug->syms;
	e->nsyms = debug->nsyms;
	e->strtab = debug->strtab;
	e->strtab_len = debug->strtab_len;
	e->table = debug->table;
	debug->syms = NULL;
	debug->strtab = NULL;
	elf_clear_symbols(debug);
}

const uint8_t *sym_elf_build_id(const struct sym_elf *e, size_t *len)
{
	*len = e->build_id_len;
	return e->build_id;
}

const char *sym_elf_debuglink(const struct sym_elf *e, uint32_t *crc)
{
	*crc = e->debuglink_crc;
	return e->debuglink;
}

bool sym_elf_vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *offset)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_memsz) {
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

bool sym_elf_offset_to_vaddr(const struct sym_elf *e, uint64_t offset, uint64_t *vaddr)
{
	for (size_t i = 0; i < e->nsegs; i++) {
		const struct elf_seg *s = &e->segs[i];

		if (offset >= s->offset && offset - s->offset < s->filesz) {
			*vaddr = offset - s->offset + s->vaddr;
			return true;
		}
	}
	return false;
}

long sym_elf_find(const struct sym_elf *e, uint64_t vaddr)
{
	size_t lo = 0;
	size_t hi = e->nsyms;
	const struct elf_sym *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	s = &e->syms[lo - 1];
	return vaddr < s->end ? (long)(lo - 1) : -1;
}

const char *sym_elf_name(const struct sym_elf *e, long idx)
{
	return e->strtab + e->syms[idx].name;
}

uint64_t sym_elf_start(const struct sym_elf *e, long idx)
{
	return e->syms[idx].start;
}
