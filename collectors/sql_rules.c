// SPDX-License-Identifier: GPL-2.0
/* Rules on the user frames of blocked stacks: parsing, finding the file, matching. */
#include "collectors/sql_rules.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sched_model.h"
#include "rules/builtin_rules.h"
#include "util/xalloc.h"

#ifndef KTOP_RULESDIR
#define KTOP_RULESDIR "/usr/share/ktop/rules"
#endif

#define SQL_RULES_FILE_MAX (256 * 1024) /* a rules file larger than this is not read */

/* The class named word (len bytes), or -1. */
static int sql_rules_class(const char *word, size_t len)
{
	for (int i = 0; i < SCHED_NCLASSES; i++)
		if (strlen(sched_class_name(i)) == len && !strncmp(sched_class_name(i), word, len))
			return i;
	return -1;
}

/* The next word of *p (spaces skipped) into word, at most len - 1 bytes; false at the end. */
static bool sql_rules_word(const char **p, char *word, size_t len, bool *too_long)
{
	const char *s = *p;
	size_t n = 0;

	while (*s && isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	while (s[n] && !isspace((unsigned char)s[n]))
		n++;
	*too_long = n >= len;
	if (n >= len)
		n = len - 1;
	memcpy(word, s, n);
	word[n] = '\0';
	*p = s + n;
	while (**p && !isspace((unsigned char)**p))
		(*p)++;
	return true;
}

/* Parse one line (no comment, not blank) into r; NULL, or why it is not a rule. */
static const char *sql_rules_line(const char *line, struct sql_rule *r)
{
	char word[SQL_RULE_PATTERN_LEN];
	const char *p = line;
	bool long_word = false;
	int state = 0; /* 0: frame next, 1: under/if/->, 2: after ->, 3: done */

	memset(r, 0, sizeof(*r));
	r->cls = -1;
	while (sql_rules_word(&p, word, sizeof(word), &long_word)) {
		if (long_word)
			return "a pattern longer than 127 bytes";
		if (state == 0) {
			if (!strcmp(word, "->"))
				return "no frame pattern before '->'";
			snprintf(r->frame, sizeof(r->frame), "%s", word);
			state = 1;
		} else if (state == 1 && !strcmp(word, "under")) {
			if (!sql_rules_word(&p, r->under, sizeof(r->under), &long_word) ||
			    !strcmp(r->under, "->"))
				return "'under' without a pattern";
			if (long_word)
				return "a pattern longer than 127 bytes";
		} else if (state == 1 && !strcmp(word, "if")) {
			char list[SQL_RULE_PATTERN_LEN];
			const char *c;

			if (!sql_rules_word(&p, list, sizeof(list), &long_word) ||
			    !strcmp(list, "->"))
				return "'if' without classes";
			for (c = list; *c;) {
				size_t n = strcspn(c, ",");
				int k = sql_rules_class(c, n);

				if (k < 0)
					return "an unknown class after 'if'";
				r->if_classes |= 1u << k;
				c += n + (c[n] == ',');
			}
		} else if (state == 1 && !strcmp(word, "->")) {
			state = 2;
		} else if (state == 1) {
			return "expected 'under', 'if' or '->'";
		} else if (state == 2) {
			r->cls = sql_rules_class(word, strlen(word));
			if (r->cls < 0)
				return "an unknown class after '->'";
			state = 3;
		} else {
			return "more after the class";
		}
	}
	if (state < 2)
		return "no '->'";
	if (state == 2)
		return "no class after '->'";
	return NULL;
}

void sql_rules_parse(struct sql_rules *rs, const char *text, const char *name, const char *path)
{
	size_t lineno = 0;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		struct sql_rule r;
		const char *why;
		char *hash;

		lineno++;
		if (len >= sizeof(line)) {
			why = "a line longer than 511 bytes";
			goto bad;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (!line[strspn(line, " \t\r")])
			goto next;
		why = sql_rules_line(line, &r);
		if (why)
			goto bad;
		snprintf(r.where, sizeof(r.where), "%s:%zu", name, lineno);
		rs->rules = xreallocarray(rs->rules, rs->n + 1, sizeof(*rs->rules));
		rs->rules[rs->n++] = r;
		goto next;
bad:
		if (!rs->bad++)
			snprintf(rs->warning, sizeof(rs->warning), "%s:%zu: %s (line skipped)",
				 path, lineno, why);
next:
		p = nl ? nl + 1 : NULL;
	}
}

/* The contents of a file, NUL-terminated, or NULL when it cannot be read (errno says why). */
static char *sql_rules_read(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = xmalloc(SQL_RULES_FILE_MAX + 1);
	n = fread(buf, 1, SQL_RULES_FILE_MAX, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The user's rules directory: $XDG_CONFIG_HOME/ktop/rules, else ~/.config/ktop/rules; or "". */
static void sql_rules_user_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/ktop/rules", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, len, "%s/.config/ktop/rules", home);
	else
		buf[0] = '\0';
}

void sql_rules_load(struct sql_rules *rs, const char *kind, const char *user_dir,
		    const char *sys_dir)
{
	char dirs[2][256];
	char name[64];

	snprintf(name, sizeof(name), "%s.rules", kind);
	if (user_dir)
		snprintf(dirs[0], sizeof(dirs[0]), "%s", user_dir);
	else
		sql_rules_user_dir(dirs[0], sizeof(dirs[0]));
	snprintf(dirs[1], sizeof(dirs[1]), "%s", sys_dir ? sys_dir : KTOP_RULESDIR);
	for (int i = 0; i < 2; i++) {
		char path[320];
		char *text;

		if (!dirs[i][0])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		text = sql_rules_read(path);
		if (!text && errno == ENOENT)
			continue;
		if (!text) {
			if (!rs->bad++)
				snprintf(rs->warning, sizeof(rs->warning), "%s: %s", path,
					 strerror(errno));
			continue;
		}
		snprintf(rs->source, sizeof(rs->source), "%s", path);
		sql_rules_parse(rs, text, name, path);
		free(text);
		return;
	}
	for (unsigned int i = 0; i < sql_rules_nbuiltins; i++) {
		if (strcmp(sql_rules_builtins[i].name, kind))
			continue;
		snprintf(rs->source, sizeof(rs->source), "built-in %s", name);
		sql_rules_parse(rs, sql_rules_builtins[i].text, name, rs->source);
		return;
	}
}

void sql_rules_clear(struct sql_rules *rs)
{
	free(rs->rules);
	memset(rs, 0, sizeof(*rs));
}

/* Whether pattern matches a frame's function name (its parameter list and marks left out). */
static bool sql_rules_frame_is(const char *pattern, const struct stack_frame *f)
{
	char name[512];
	size_t n;
	char *cut;

	if (f->kind != STACK_FRAME_USER || !f->name)
		return false;
	n = strlen(f->name);
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, f->name, n);
	name[n] = '\0';
	cut = strstr(name, " [inlined]");
	if (cut)
		*cut = '\0';
	if (name[0] != '(') {
		cut = strchr(name, '(');
		if (cut)
			*cut = '\0';
	}
	return !fnmatch(pattern, name, 0);
}

const struct sql_rule *sql_rules_match(const struct sql_rules *rs, const struct stack_sample *s,
				       int kclass)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct sql_rule *r = &rs->rules[i];

		if (r->if_classes && (kclass < 0 || !(r->if_classes & (1u << kclass))))
			continue;
		/* frames go from the outermost caller in: a frame's callers are before it */
		for (uint32_t f = 0; f < s->nframes; f++) {
			bool under = !r->under[0];

			if (!sql_rules_frame_is(r->frame, &s->frames[f]))
				continue;
			for (uint32_t o = 0; !under && o < f; o++)
				under = sql_rules_frame_is(r->under, &s->frames[o]);
			if (under)
				return r;
		}
	}
	return NULL;
}
