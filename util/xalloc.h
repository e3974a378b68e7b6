/* SPDX-License-Identifier: GPL-2.0 */
/* Allocation that cannot return NULL: running out of memory aborts with a message. */
#ifndef KTOP_XALLOC_H
#define KTOP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* A heap string from a printf format. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
