// SPDX-License-Identifier: GPL-2.0
#include "collectors/collector.h"

#include <errno.h>
#include <stdio.h>

uint64_t collector_drops_total(const struct collector *c)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < c->ndrops; i++)
		sum += c->drops[i].count;
	return sum;
}

void *collector_closing(struct collector *c)
{
	c->is_open = false;
	c->ndrops = 0;
	return c->priv;
}

int collector_not_open(struct collector *c)
{
	snprintf(c->why, sizeof(c->why), "%s: not open", c->ops->name);
	return -EBADF;
}

int collector_open_failed(struct collector *c, int err)
{
	c->ops->close(c);
	c->mode[0] = '\0';
	return err;
}

void collector_set_cgroup(struct collector *c, const struct filter_cgroup *cg, bool in_kernel)
{
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", !cg->id ? "" : in_kernel ? "kernel" : "user");
}
