/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -r FILE: a recording, printed (-b) as live batch mode printed it, or on the screen; no BPF,
 * no root.
 */
#ifndef KTOP_REPLAY_H
#define KTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/options.h"
#include "themes/theme.h"

struct record_reader;
struct record_header;

/* Print the recorded intervals of o->read; returns the exit code (messages on stderr). */
int replay_run_batch(const struct options *o);
/* The recording on the screen (core/replay_ui.c); returns the exit code. */
int replay_run_ui(const struct options *o, const struct theme *theme);
/* The panels a --record recording holds, "overview,bio" ("" when it holds every panel). */
void replay_panels_text(const struct record_header *h, char *buf, size_t len);
/* Whether the recording holds the panel (every panel when it was not narrowed). */
bool replay_has_panel(const struct record_header *h, const char *panel);
/* The first interval --at or --from names (0 without them). */
size_t replay_first(const struct options *o, const struct record_reader *r);
/*
 * Recorded text into dst (NUL-terminated, cut to fit): what live exports wrote passes
 * unchanged; controls and invalid UTF-8, which only a damaged or hostile file holds, become
 * "\xNN". Returns the length written.
 */
size_t replay_escape(char *dst, size_t dst_len, const uint8_t *p, size_t len);

#endif
