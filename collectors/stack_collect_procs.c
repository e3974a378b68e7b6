// SPDX-License-Identifier: GPL-2.0
/* The processes the stack aggregator has seen, by tgid. */
#include "collectors/stack_collect_procs.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/hash.h"

#define COLLECT_PROCS_MAX 16384 /* processes remembered before the table starts again */

static bool proc_eq(const void *entry, const void *key)
{
	return ((const struct collect_proc *)entry)->tgid == *(const uint32_t *)key;
}

void collect_procs_init(struct collect_procs *ps)
{
	htab_init(&ps->t, sizeof(struct collect_proc), _Alignof(struct collect_proc));
	ps->gen_next = 0;
}

void collect_procs_fini(struct collect_procs *ps)
{
	htab_fini(&ps->t);
}

struct collect_proc *collect_procs_get(struct collect_procs *ps, uint32_t tgid)
{
	struct collect_proc *p;
	bool added;

	if (htab_len(&ps->t) >= COLLECT_PROCS_MAX)
		htab_fini(&ps->t); /* its memory too: the generations go on counting */
	p = htab_insert_as(&ps->t, struct collect_proc, hash_mix64(tgid), &tgid, proc_eq, &added);
	if (added) {
		p->tgid = tgid;
		p->gen = ps->gen_next++;
	}
	return p;
}

void collect_procs_exec(struct collect_procs *ps, uint32_t tgid)
{
	struct collect_proc *p = collect_procs_get(ps, tgid);

	p->noted = false;
	p->named = false;
	p->gen = ps->gen_next++;
}

void collect_procs_forget(struct collect_procs *ps, uint32_t tgid)
{
	htab_delete(&ps->t, hash_mix64(tgid), &tgid, proc_eq);
}

/* Read a process's name from /proc/PID/comm, escaped; false if it is gone. */
static bool proc_read_name(uint32_t tgid, char *out, size_t out_len)
{
	char path[32];
	char buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/comm", tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	if (buf[n - 1] == '\n')
		n--;
	escape_text(out, out_len, buf, (size_t)n);
	return true;
}

const char *collect_proc_name(struct collect_proc *p)
{
	if (!p->named)
		p->named = proc_read_name(p->tgid, p->pcomm, sizeof(p->pcomm));
	return p->named ? p->pcomm : NULL;
}
