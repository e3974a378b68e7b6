/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a trace probe spec names, found on this system: a library's short name through the
 * dynamic linker's cache (or a program through $PATH), a function's file offset by its raw or
 * demangled symbol name, a USDT probe's argument count, a tracepoint's format description.
 */
#ifndef KTOP_TRACE_RESOLVE_H
#define KTOP_TRACE_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/trace_spec.h"

#define TRACE_TRACEFS "/sys/kernel/tracing"

/*
 * The file of a library or program: a path is taken as it is; "pam" finds libpam.so.0 and "c"
 * libc.so.6 in /etc/ld.so.cache (or `ldconfig -p`) for this machine's architecture;
 * "libpam.so.0" is looked up as it is; anything else is looked for in $PATH. 0, or -ENOENT with
 * why, e.g. "no library or program 'foo' (not in /etc/ld.so.cache nor in $PATH)".
 */
int trace_resolve_target(const char *name, char *path, size_t path_len, char *why, size_t why_len);

/*
 * The library file in an ld.so.cache image (data, size bytes) whose name matches name as
 * trace_resolve_target says; candidates are offered to is_ok (NULL: any), which checks the
 * architecture. 0 with path filled, -ENOENT when none, -EINVAL when the image is unreadable.
 */
int trace_ldcache_lookup(const void *data, size_t size, const char *name,
			 int (*is_ok)(const char *path), char *path, size_t path_len);

/*
 * The file offset for a uprobe on function func of the ELF file at path: func is a raw symbol
 * ("_ZN2ns4funcEi", "memcpy@@GLIBC_2.14" or without its version) or a demangled name, with or
 * without its parameter list ("ns::func(int)", "ns::func"). sym gets the name that matched, as
 * people read it. 0, or -errno with why (no such function, ambiguous, an IFUNC, not ELF).
 */
int trace_resolve_func(const char *path, const char *func, uint64_t *offset, char *sym,
		       size_t sym_len, char *why, size_t why_len);

/*
 * The number of arguments of USDT probe provider:name in the ELF file at path, from its
 * .note.stapsdt notes. 0, or -ENOENT with why when the probe is not there.
 */
int trace_resolve_usdt(const char *path, const char *provider, const char *name, int *nargs,
		       char *why, size_t why_len);

/*
 * Mount tracefs on /sys/kernel/tracing if it is not there yet (as perf does) and read the
 * format description of tracepoint cat:event. 0, or -errno with why.
 */
int trace_resolve_tracepoint(const char *cat, const char *event, struct trace_tp_format *fmt,
			     char *why, size_t why_len);

#endif
