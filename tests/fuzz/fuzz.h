/* SPDX-License-Identifier: GPL-2.0 */
/* What the libFuzzer targets share: the input as a C string, as a file, split in parts. */
#ifndef KTOP_FUZZ_H
#define KTOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input (NULs inside stay: C parsers stop at the first). */
char *fuzz_cstr(const uint8_t *data, size_t size);
/* A file holding the input, read from the start: a memfd; -1 on failure. */
int fuzz_memfd(const uint8_t *data, size_t size);
/*
 * A regular file holding the input (for readers that refuse symlinks such as /proc/self/fd/N):
 * one temporary file of the process, rewritten each time. Its path, or NULL.
 */
const char *fuzz_file(const uint8_t *data, size_t size);
/* The input cut at the first NUL byte: *first gets what comes before, the rest after it. */
void fuzz_split(const uint8_t *data, size_t size, char **first, char **rest);

#endif
