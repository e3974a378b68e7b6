/* SPDX-License-Identifier: GPL-2.0 */
/* Colour themes: each screen role gets a foreground, a background and attributes. */
#ifndef KTOP_THEME_H
#define KTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

enum theme_role {
	THEME_DEFAULT,      /* ordinary text */
	THEME_HEADER,       /* the header lines */
	THEME_HEADER_VALUE, /* values in the header */
	THEME_TAB,          /* an inactive panel tab */
	THEME_TAB_ACTIVE,   /* the visible panel's tab */
	THEME_TITLE,        /* column titles of a table */
	THEME_SELECTION,    /* the selected row */
	THEME_BAR,          /* histogram and proportion bars */
	THEME_BAR_SLOW,     /* bars of buckets over a threshold */
	THEME_DIM,          /* secondary text, units */
	THEME_WARN,         /* drops, estimates, things to look at */
	THEME_ERROR,        /* errors and missing features */
	THEME_PAUSED,       /* the PAUSED marker */
	THEME_FOOTER_KEY,   /* a key in the footer */
	THEME_FOOTER_LABEL, /* its label */
	THEME_PROMPT,       /* the prompt line */
	THEME_KERNEL_FRAME, /* kernel stack frames */
	THEME_USER_FRAME,   /* user stack frames */
	THEME_UNKNOWN_FRAME,/* frames that could not be named */
	THEME_ROLE_COUNT,
};

/* Colours: -1 is the terminal's default, 0-7 the ANSI colours, 8-255 the extended palette. */
#define THEME_COLOR_DEFAULT (-1)

#define THEME_ATTR_BOLD 0x1u
#define THEME_ATTR_REVERSE 0x2u
#define THEME_ATTR_UNDERLINE 0x4u
#define THEME_ATTR_DIM 0x8u

struct theme_style {
	short fg;
	short bg;
	unsigned int attrs;
};

struct theme {
	char name[64];
	bool use_color; /* false: attributes only (mono, NO_COLOR) */
	struct theme_style style[THEME_ROLE_COUNT];
};

/*
 * Parse a theme from text. The format, one setting per line ('#' starts a comment):
 *     color = yes|no
 *     ROLE = FG [BG] [bold] [reverse] [underline] [dim]
 * ROLE is a role name in lower case ("header", "tab_active", ...); FG and BG are default,
 * black, red, green, yellow, blue, magenta, cyan, white, bright_<colour> or a number 0-255.
 * Roles not named keep the mono defaults. 0, or -EINVAL with "line N: ..." in why.
 */
int theme_parse(struct theme *t, const char *name, const char *text, char *why, size_t why_len);
/*
 * Load the theme NAME: a path if it holds a '/', else NAME.theme from $KTOP_THEME_DIR, then
 * the installed theme directory, then the themes built into ktop. 0 or -errno with why.
 */
int theme_load(struct theme *t, const char *name, char *why, size_t why_len);
/* The role's name as written in theme files. */
const char *theme_role_name(enum theme_role role);
/* Fill t with the built-in monochrome theme (never fails). */
void theme_mono(struct theme *t);

#endif
