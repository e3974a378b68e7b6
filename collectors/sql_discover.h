/* SPDX-License-Identifier: GPL-2.0 */
/* Finding database servers: processes in /proc, and what their binaries can be traced by. */
#ifndef KTOP_SQL_DISCOVER_H
#define KTOP_SQL_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/sql_model.h"

#define SQL_PATH_MAX	  256
#define SQL_SIGNATURE_MAX 160

#define SQL_USDT_LOCS_MAX 4 /* places of one USDT probe that are attached */

/* One place of a USDT probe, as a plain uprobe needs it. */
struct sql_usdt_loc {
	uint64_t vaddr;	      /* its address, as the file's addresses go */
	uint64_t offset;      /* its file offset */
	uint64_t sema_offset; /* the file offset of its semaphore, 0 if it has none */
};

/* How a server binary can be traced, as its ELF file says. */
struct sql_elf_info {
	bool usdt_mysql;	  /* has mysql:query__start and mysql:query__done */
	bool usdt_pg;		  /* has postgresql:query__start and postgresql:query__done */
	bool has_dispatch;	  /* a function named dispatch_command(...) */
	uint64_t dispatch_offset; /* its file offset */
	uint32_t layout;	  /* SQL_LAYOUT_* of its arguments, 0 if unknown */
	char signature[SQL_SIGNATURE_MAX]; /* demangled, e.g. "dispatch_command(THD*, ...)" */
	/* postgresql:query__execute__start and __done, where extended-protocol queries run */
	struct sql_usdt_loc pg_exec_start[SQL_USDT_LOCS_MAX];
	struct sql_usdt_loc pg_exec_done[SQL_USDT_LOCS_MAX];
	size_t npg_exec_start;
	size_t npg_exec_done;
	uint64_t pg_query_string; /* address of PostgreSQL's global debug_query_string, or 0 */
};

/*
 * Read the USDT notes and the dispatch_command symbol of the ELF file at path (which may be
 * /proc/PID/exe). 0, or -errno with why.
 */
int sql_elf_inspect(const char *path, struct sql_elf_info *info, char *why, size_t why_len);

/* What --db named: a process, or a server binary. */
struct sql_target {
	uint32_t pid;		 /* 0 for a path */
	char path[SQL_PATH_MAX]; /* as given */
	char real[SQL_PATH_MAX]; /* with symbolic links resolved, "" if it does not exist */
	uint64_t dev;		 /* the file's device and inode, 0 if it does not exist */
	uint64_t ino;
};

/* Parse one --db argument (a PID or a path) into t; 0, or -EINVAL with why. */
int sql_target_parse(struct sql_target *t, const char *arg, char *why, size_t why_len);
/* Look the path of a target up again (the file may have been replaced). */
void sql_target_stat(struct sql_target *t);

/* A server process found. */
struct sql_proc {
	uint32_t pid;
	uint32_t ppid;
	uint64_t dev; /* its binary's device and inode */
	uint64_t ino;
	bool kind_known; /* kind came from the binary's name */
	enum sql_kind kind;
	char exe[SQL_PATH_MAX]; /* the /proc/PID/exe link as read, e.g. "/usr/sbin/x (deleted)" */
	char why[160];		/* a named PID that is not running: why it is not listed */
	uint32_t named;		/* --db named this PID's child (a backend): that child's PID */
};

/* The kind of server a binary's file name says (mysqld, mariadbd, postgres), if it says one. */
bool sql_exe_kind(const char *path, enum sql_kind *kind);

/*
 * Find the servers: with no targets, every mysqld, mariadbd and postgres main process (not
 * PostgreSQL's children); else the processes named and those running the binaries named.
 * *out (sorted by PID) is the caller's to free. 0 or -errno.
 */
int sql_discover(const struct sql_target *targets, size_t ntargets, struct sql_proc **out,
		 size_t *n);

/* Whether a process exists. */
bool sql_pid_is_alive(uint32_t pid);

#endif
