// SPDX-License-Identifier: GPL-2.0
/* Allocation wrappers: failure or size overflow ends the program with one line on stderr. */
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Report a failed allocation of nmemb * size bytes and abort. */
static void __attribute__((noreturn)) xalloc_fail(const char *what, size_t nmemb, size_t size)
{
	fprintf(stderr, "ktop: %s: out of memory (%zu x %zu bytes)\n", what, nmemb, size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p;

	/* malloc(0) may return NULL; ask for one byte so NULL always means failure. */
	p = malloc(size ? size : 1);
	if (!p)
		xalloc_fail("xmalloc", 1, size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (!nmemb || !size)
		nmemb = size = 1;
	p = calloc(nmemb, size); /* calloc checks nmemb * size for overflow */
	if (!p)
		xalloc_fail("xcalloc", nmemb, size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(nmemb, size, &total)) {
		fprintf(stderr, "ktop: xreallocarray: %zu x %zu bytes overflows\n", nmemb, size);
		abort();
	}
	/* realloc(ptr, 0) may free ptr and return NULL; keep one byte instead. */
	p = realloc(ptr, total ? total : 1);
	if (!p)
		xalloc_fail("xreallocarray", nmemb, size);
	return p;
}

char *xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p;

	p = xmalloc(len);
	memcpy(p, s, len);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "ktop: xasprintf: out of memory\n");
		abort();
	}
	return s;
}
