/* SPDX-License-Identifier: GPL-2.0 */
/* Symbol names as people read them: C++ (and Rust) demangled, linker version suffixes dropped. */
#ifndef KTOP_SYMBOLS_DEMANGLE_H
#define KTOP_SYMBOLS_DEMANGLE_H

#include <stddef.h>

/*
 * Write the readable form of the symbol name raw into buf: "name@@VERSION" loses its
 * version, mangled C++ gets its parameter list ("f(int, char*)"), anything else is copied.
 * The result is cut to buf_size - 1 bytes. Returns its length.
 */
size_t sym_demangle(const char *raw, char *buf, size_t buf_size);

#endif
