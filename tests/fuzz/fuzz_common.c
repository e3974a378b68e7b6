// SPDX-License-Identifier: GPL-2.0
/* The helpers of fuzz.h. */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void fuzz_split(const uint8_t *data, size_t size, char **first, char **rest)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;

	*first = fuzz_cstr(data, n);
	*rest = nul ? fuzz_cstr(nul + 1, size - n - 1) : fuzz_cstr(data, 0);
}

/* Remove the process's temporary file at exit. */
static void fuzz_file_remove(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/ktop-fuzz-%d", (int)getpid());
	unlink(path);
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/ktop-fuzz-%d", (int)getpid());
		atexit(fuzz_file_remove);
	}
	f = fopen(path, "w");
	if (!f)
		return NULL;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return path;
}
