// SPDX-License-Identifier: GPL-2.0
#include "ui/keymap.h"

#include <stdio.h>

#include <ncurses.h>

#include "ui/panel.h"

#define CTRL(c) ((c) & 0x1f)

/* A global key's handler: it asks core for one thing, whatever the panel shows. */
#define GLOBAL_KEY(name, what)                                  \
	static struct key_result name(struct panel *p, int key) \
	{                                                       \
		(void)p;                                        \
		(void)key;                                      \
		return key_result(what);                        \
	}

GLOBAL_KEY(help_key, KEY_DO_HELP)
GLOBAL_KEY(pause_key, KEY_DO_PAUSE)
GLOBAL_KEY(repaint_key, KEY_DO_REPAINT)
GLOBAL_KEY(quit_key, KEY_DO_QUIT)
GLOBAL_KEY(next_panel_key, KEY_DO_PANEL_NEXT)
GLOBAL_KEY(prev_panel_key, KEY_DO_PANEL_PREV)
GLOBAL_KEY(pid_key, KEY_DO_PID_PROMPT)
GLOBAL_KEY(cgroup_key, KEY_DO_CGROUP_PROMPT)
GLOBAL_KEY(threshold_key, KEY_DO_THRESHOLD_PROMPT)
GLOBAL_KEY(search_key, KEY_DO_SEARCH_PROMPT)
GLOBAL_KEY(reset_key, KEY_DO_RESET)
GLOBAL_KEY(save_key, KEY_DO_SAVE)
GLOBAL_KEY(save_recording_key, KEY_DO_SAVE_RECORDING)
GLOBAL_KEY(setup_key, KEY_DO_SETUP)

/* 1-9: the panel of that number, the first being 1. */
static struct key_result panel_number_key(struct panel *p, int key)
{
	(void)p;
	return key_result_id(KEY_DO_PANEL, (uint32_t)(key - '1'));
}

/* Before the panel keys. */
static const struct keymap_entry global_head[] = {
	{ KEY_F(1), help_key, "F1", "Help", "this help screen (also h and ?)", "General" },
	{ 'h', help_key, "h", NULL, NULL, "General" },
	{ '?', help_key, "?", NULL, NULL, "General" },
	{ KEY_F(2), setup_key, "F2", "Setup", "setup: the saved settings (also S)", "General" },
	{ 'S', setup_key, "S", NULL, NULL, "General" },
	{ ' ', pause_key, "Space", "Pause", "freeze the view (collection goes on)", "General" },
	{ CTRL('l'), repaint_key, "^L", NULL, "redraw the screen", "General" },
	{ 'q', quit_key, "q", "Quit", "quit", "General" },
};

/* After the panel keys. */
static const struct keymap_entry global_tail[] = {
	{ '\t', next_panel_key, "Tab", NULL, "next panel", "Panels" },
	{ KEY_BTAB, prev_panel_key, "S-Tab", NULL, "previous panel", "Panels" },
	{ 'p', pid_key, "p", "PID", "PID filter: 12,34 (empty: all)", "Filter" },
	{ 'C', cgroup_key, "C", NULL, "cgroup filter: a cgroup directory (empty: all)", "Filter" },
	{ 't', threshold_key, "t", "Limit", "this panel's threshold (empty: off)", "Filter" },
	{ '/', search_key, "/", "Search", "search frames in this panel (n: next)", "Filter" },
	{ 'r', reset_key, "r", NULL, "reset cumulative counters", "Filter" },
	{ 's', save_key, "s", "Save", "save as text: ktop-DATE-TIME.txt", "Export" },
	{ 'W', save_recording_key, "W", NULL,
	  "save this moment, every panel, as a recording: ktop-DATE-TIME.ktop (ktop -r)",
	  "Export" },
};

#define NHEAD (sizeof(global_head) / sizeof(global_head[0]))
#define NTAIL (sizeof(global_tail) / sizeof(global_tail[0]))
_Static_assert(NHEAD + KEYMAP_MAX_PANELS + NTAIL <= KEYMAP_GLOBAL_MAX, "KEYMAP_GLOBAL_MAX");

void keymap_global_init(struct keymap *km, const char *const *titles, size_t ntitles)
{
	km->n = 0;
	for (size_t i = 0; i < NHEAD; i++)
		km->rows[km->n++] = global_head[i];
	for (size_t i = 0; i < ntitles && i < KEYMAP_MAX_PANELS; i++) {
		km->panel_key[i][0] = (char)('1' + i);
		km->panel_key[i][1] = '\0';
		snprintf(km->panel_help[i], sizeof(km->panel_help[i]), "%s panel", titles[i]);
		km->rows[km->n++] = (struct keymap_entry){ '1' + (int)i, panel_number_key,
							   km->panel_key[i], NULL,
							   km->panel_help[i], "Panels" };
	}
	for (size_t i = 0; i < NTAIL; i++)
		km->rows[km->n++] = global_tail[i];
}

const struct keymap_entry *keymap_find(const struct keymap_entry *keys, size_t n, int key)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i].key == key)
			return &keys[i];
	return NULL;
}

struct key_result keymap_run(const struct keymap_entry *keys, size_t n, struct panel *p, int key)
{
	const struct keymap_entry *k = keymap_find(keys, n, key);

	return k && k->fn ? k->fn(p, key) : key_result(KEY_DO_NOTHING);
}

bool keymap_applies(const struct keymap_entry *k, const struct panel_ops *ops)
{
	if (k->fn == search_key)
		return ops && ops->search;
	if (k->fn == threshold_key)
		return ops && ops->set_threshold;
	return true;
}
