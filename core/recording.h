/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -w FILE: each interval, every panel's export (JSON, text at RECORDING_TEXT_WIDTH columns,
 * folded stacks where it has them) goes into one frame of the recording, whatever panel is
 * shown and even while the screen is paused. A failed write (a full disk) stops the recording
 * with one line and leaves what was written readable.
 */
#ifndef KTOP_RECORDING_H
#define KTOP_RECORDING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/export.h"

#define RECORDING_TEXT_WIDTH 100 /* the width batch mode prints text at into a pipe or file */

struct app;

/* Create the recording of a->opt.write and start the --trigger flight recorder; 0 or -errno. */
int recording_open(struct app *a, char *why, size_t why_len);
/* Record this interval (after app_tick's polls); a failure stops the recording, said once. */
void recording_tick(struct app *a);
/*
 * The bytes just recorded for panel i in this format, so that batch mode prints exactly what
 * was recorded; false when there are none (no recording, or a failed export).
 */
bool recording_last(const struct app *a, size_t i, enum export_format fmt, const void **data,
		    size_t *len);
/*
 * s's second choice (W): the panels as shown, one interval, saved as a recording that ktop -r
 * opens, in $KTOP_EXPORT_DIR (else .) as ktop-YYYYmmdd-HHMMSS.ktop (created new, 0600). The
 * path goes to path; 0, or -errno with why.
 */
int recording_save_moment(struct app *a, char *path, size_t path_len, char *why, size_t why_len);
/* Finish and close the recording; says on stderr if that failed. */
void recording_close(struct app *a);

#endif
