/* SPDX-License-Identifier: GPL-2.0 */
/* Make text from traced processes safe to print: nothing it holds reaches a terminal raw. */
#ifndef KTOP_ESCAPE_H
#define KTOP_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copy src_len bytes of src (NULs included) into dst as printable UTF-8: valid UTF-8
 * printable characters stay, C0/C1 controls, DEL, NUL and every byte of invalid or
 * overlong UTF-8 become "\xNN", a backslash becomes "\\". dst is always NUL-terminated
 * (when dst_size > 0) and never ends in a cut escape or a cut character; when the output
 * does not fit, it ends with "..." if there is room. Returns the length written.
 */
size_t escape_text(char *dst, size_t dst_size, const char *src, size_t src_len);

/* Like escape_text for a NUL-terminated string of at most max bytes. */
size_t escape_cstr(char *dst, size_t dst_size, const char *src, size_t max);

/*
 * Undo escape_text: the n bytes of src, "\\" and "\xNN" turned back into the bytes they stand
 * for, into dst (room for n bytes; the result may hold NULs). Anything else is copied as it
 * is. Returns the length written.
 */
size_t escape_undo(char *dst, const char *src, size_t n);

/*
 * Length (1-4) of the valid UTF-8 character at s, reading at most n bytes, with its code
 * point in *cp; 0 when the bytes there are invalid, overlong, a surrogate or cut short.
 */
size_t escape_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Whether a code point must not be shown as is: C0/C1 controls, DEL, bidi, line separators. */
bool escape_cp_is_unsafe(uint32_t cp);
/* Whether n bytes of text are valid UTF-8 holding no code point escape_cp_is_unsafe names. */
bool escape_is_clean(const char *s, size_t n);

#endif
