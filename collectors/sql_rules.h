/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rules on the user frames of a slow query's blocked stacks, kept as data: one text file per
 * server kind (rules/mariadb.rules, rules/postgresql.rules; the format is written at their
 * top), read from the user's directory, else the installed one, else the copy built into
 * ktop. A rule that matches a stack names the class of its blocked time again: a condition
 * variable wait under a row read is a lock, pg_sleep's latch wait is sleep.
 */
#ifndef KTOP_SQL_RULES_H
#define KTOP_SQL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/stack.h"

#define SQL_RULE_PATTERN_LEN 128

struct sql_rule {
	char frame[SQL_RULE_PATTERN_LEN]; /* shell pattern on a user frame's function name */
	char under[SQL_RULE_PATTERN_LEN]; /* "" or one on a frame outside it */
	uint32_t if_classes;		  /* bit per kernel class renamed; 0: any */
	int cls;			  /* enum sched_model_class it names */
	char where[96];			  /* "mariadb.rules:12" */
};

struct sql_rules {
	struct sql_rule *rules; /* owned */
	size_t n;
	char source[256];  /* the file read, or "built-in mariadb.rules" */
	char warning[256]; /* the first bad line, "FILE:LINE: why (skipped)"; "" if none */
	size_t bad;	   /* bad lines skipped */
};

/*
 * Parse text (a rules file's contents) into rs, appending; name is the file's name in each
 * rule's where ("mariadb.rules") and warnings (its path). Bad lines are skipped and counted,
 * the first said in rs->warning.
 */
void sql_rules_parse(struct sql_rules *rs, const char *text, const char *name, const char *path);
/*
 * Read the rules of a server kind ("mariadb", "postgresql") into rs: FILE.rules in user_dir
 * (NULL: $XDG_CONFIG_HOME/ktop/rules or ~/.config/ktop/rules), else in sys_dir (NULL: the
 * installed directory), else the built-in copy.
 */
void sql_rules_load(struct sql_rules *rs, const char *kind, const char *user_dir,
		    const char *sys_dir);
void sql_rules_clear(struct sql_rules *rs);

/* The first rule that names a block of kernel class kclass in stack s again, or NULL. */
const struct sql_rule *sql_rules_match(const struct sql_rules *rs, const struct stack_sample *s,
				       int kclass);

#endif
