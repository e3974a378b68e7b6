/* SPDX-License-Identifier: GPL-2.0 */
/* Internal to the bio collector: a struct bio_span from the difference of two readings. */
#ifndef KTOP_BIO_SPANS_H
#define KTOP_BIO_SPANS_H

struct bio_name_cache;
struct bio_reading;
struct bio_span;

/*
 * Fill span with what happened between readings b and a, naming disks from names. Every disk
 * still present is listed, so rows stay put; a vanished disk only while it has I/O in the span.
 */
void bio_span_build(struct bio_name_cache *names, struct bio_span *span,
		    const struct bio_reading *a, const struct bio_reading *b);

#endif
