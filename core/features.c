// SPDX-License-Identifier: GPL-2.0
#include "core/features.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/capability.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Whether the effective capability set holds cap (capget, version 3: 64 bits). */
static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

void features_probe(struct features *f)
{
	f->uid = (unsigned int)geteuid();
	f->privileged = f->uid == 0 || (has_cap(CAP_BPF) && has_cap(CAP_PERFMON)) ||
			has_cap(CAP_SYS_ADMIN);
	f->has_btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	f->has_ringbuf = f->privileged &&
			 libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) > 0;
}

bool features_check_privilege(const struct features *f, char *why, size_t why_len)
{
	if (f->privileged)
		return true;
	snprintf(why, why_len, "needs root or CAP_BPF+CAP_PERFMON (running as uid %u)", f->uid);
	return false;
}

void features_describe(const struct features *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "kernel BTF (/sys/kernel/btf/vmlinux): %s\n"
		 "BPF ring buffer: %s\n"
		 "privileges: %s\n",
		 f->has_btf ? "yes" : "missing (collectors cannot load)",
		 f->has_ringbuf ? "yes" : "no",
		 f->privileged ? (f->uid == 0 ? "root" : "CAP_BPF+CAP_PERFMON") : "missing");
}
