/* SPDX-License-Identifier: GPL-2.0 */
/* ktop's debug log: a file named by $KTOP_LOG, never the terminal curses owns. */
#ifndef KTOP_LOG_H
#define KTOP_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Open the log named by $KTOP_LOG if set (O_NOFOLLOW, appended); route libbpf's messages. */
void log_init(void);
void log_close(void);
/* Whether $KTOP_LOG is open (to skip gathering what only the log would show). */
bool log_enabled(void);
/* One line to the log, if open. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last warning libbpf printed, to add to an error's reason ("" if none). */
const char *log_last_libbpf_warning(void);

#endif
