// SPDX-License-Identifier: GPL-2.0
/*
 * Lines and inlined calls with libdw: the CU that holds an address gives the line executing
 * there (its line table) and the scopes around it (dwarf_getscopes), innermost first; each
 * DW_TAG_inlined_subroutine among them is a function inlined at that address, whose call
 * site (DW_AT_call_file, DW_AT_call_line) is the line executing in the level above. GCC's
 * link-time optimization puts the code in `<artificial>` units whose inlined calls name their
 * functions in other units, where dwarf_getscopes finds nothing: there the unit's DIEs are
 * walked down by address range.
 */
#include "symbols/srcinfo.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The call site of an inlined call: file (base name) and line, from its CU's file table. */
static void srcinfo_call_site(Dwarf_Die *die, Dwarf_Files *files, size_t nfiles, char *file,
			      size_t file_len, uint32_t *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx = 0, ln = 0;

	file[0] = '\0';
	*line = 0;
	if (dwarf_attr(die, DW_AT_call_file, &attr) && !dwarf_formudata(&attr, &idx) && files &&
	    idx < nfiles)
		srcinfo_base(file, file_len, dwarf_filesrc(files, idx, NULL, NULL));
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

size_t srcinfo_at(struct Dwfl *dwfl, uint64_t pc, struct srcinfo_level *out, size_t max)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	Dwarf_Files *files = NULL;
	Dwarf_Die *scopes = NULL;
	Dwarf_Die *cudie;
	Dwarf_Addr bias;
	Dwfl_Line *dl;
	char file[SRCINFO_FILE_LEN] = "";
	size_t nfiles = 0, n = 0;
	uint32_t line = 0;
	int lineno = 0, nscopes;

	if (!mod || !max)
		return 0;
	cudie = dwfl_module_addrdie(mod, pc, &bias);
	if (!cudie)
		return 0;
	dl = dwfl_module_getsrc(mod, pc);
	if (dl) {
		srcinfo_base(file, sizeof(file),
			     dwfl_lineinfo(dl, NULL, &lineno, NULL, NULL, NULL));
		line = lineno > 0 ? (uint32_t)lineno : 0;
	}
	if (dwarf_getsrcfiles(cudie, &files, &nfiles))
		files = NULL;
	nscopes = dwarf_getscopes(cudie, pc - bias, &scopes);
	if (nscopes <= 0) {
		free(scopes);
		nscopes = srcinfo_walk_scopes(cudie, pc - bias, &scopes);
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
		srcinfo_call_site(&scopes[i], files, nfiles, file, sizeof(file), &line);
	}
	free(scopes);
	out[n].inlined[0] = '\0';
	snprintf(out[n].file, sizeof(out[n].file), "%s", file);
	out[n].line = line;
	return n + 1;
}
