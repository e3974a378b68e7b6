/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ELF file's function symbols, load segments, build-id and .gnu_debuglink, read with
 * libelf. Symbols come from .symtab, else .dynsym; STT_FUNC and STT_GNU_IFUNC only; a
 * zero-size symbol reaches to the next symbol (or the end of its section).
 */
#ifndef KTOP_SYMBOLS_ELF_H
#define KTOP_SYMBOLS_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYM_ELF_BUILD_ID_MAX 64

enum sym_elf_table {
	SYM_ELF_NONE,	/* no function symbols at all */
	SYM_ELF_DYNSYM, /* only the dynamic symbols: the file is stripped */
	SYM_ELF_SYMTAB, /* the full symbol table */
};

struct sym_elf;

/*
 * Read the ELF file open on fd (the fd stays the caller's and may be closed afterwards).
 * 0 or -errno with why, e.g. "not an ELF file".
 */
int sym_elf_open(struct sym_elf **out, int fd, char *why, size_t why_len);
void sym_elf_free(struct sym_elf *e);
/* About how many bytes of heap e holds (its symbols, their names, its segments). */
size_t sym_elf_bytes(const struct sym_elf *e);

enum sym_elf_table sym_elf_table(const struct sym_elf *e);
size_t sym_elf_count(const struct sym_elf *e);
/* Replace e's symbols by those of debug (a debug file of e); debug keeps none. */
void sym_elf_take_symbols(struct sym_elf *e, struct sym_elf *debug);

/* The build-id note's bytes and length (0 when there is none). */
const uint8_t *sym_elf_build_id(const struct sym_elf *e, size_t *len);
/* The .gnu_debuglink file name and its CRC, or NULL. */
const char *sym_elf_debuglink(const struct sym_elf *e, uint32_t *crc);

struct Elf;
/*
 * The file offset of virtual address vaddr of an ELF file open with libelf, through its
 * PT_LOAD segments (uprobes and USDT probes are placed by file offset); false if none holds it.
 */
bool sym_elf_vaddr_to_offset(struct Elf *elf, uint64_t vaddr, uint64_t *offset);
/* Translate a file offset to a virtual address through the PT_LOAD segments; false if none. */
bool sym_elf_offset_to_vaddr(const struct sym_elf *e, uint64_t offset, uint64_t *vaddr);

/* Index of the symbol covering vaddr, or -1. */
long sym_elf_find(const struct sym_elf *e, uint64_t vaddr);
/* The raw (mangled) name and start address of symbol idx. */
const char *sym_elf_name(const struct sym_elf *e, long idx);
uint64_t sym_elf_start(const struct sym_elf *e, long idx);

#endif
