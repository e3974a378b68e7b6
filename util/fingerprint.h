/* SPDX-License-Identifier: GPL-2.0 */
/* Normalize SQL text into a fingerprint: the shape of a query without its values. */
#ifndef KTOP_FINGERPRINT_H
#define KTOP_FINGERPRINT_H

#include <stddef.h>

/*
 * Write the fingerprint of sql into out: string and number literals become ?, IN (...) lists
 * and VALUES (...), (...) tuples collapse to one, comments go, whitespace folds to one space
 * and keywords and identifiers fold to lower case. Returns the length written.
 */
size_t fingerprint_sql(const char *sql, char *out, size_t out_len);

/*
 * Write sql with every string and number literal replaced by ?, otherwise as it was (for
 * --redact: queries can hold passwords and personal data). Returns the length written.
 */
size_t fingerprint_redact(const char *sql, char *out, size_t out_len);

#endif
