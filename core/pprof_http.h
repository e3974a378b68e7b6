/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Profiles over HTTP while --listen serves: /debug/pprof/profile?seconds=N[&pid=P] (on-CPU
 * samples) and /debug/pprof/offcpu?seconds=N[&pid=P] (off-CPU time), answered with a
 * gzip-compressed pprof profile after N seconds, as go tool pprof, Pyroscope and Parca fetch
 * it. Each request opens a collector of its own (Stacks or Off-CPU, with its own symbol cache)
 * on its HTTP thread, polls it for N seconds and closes it: nothing of the main loop's is
 * touched, so a profile never stalls the screen, the collectors or other scrapes. At most
 * PPROF_HTTP_MAX_ACTIVE run at once; more are refused with 429 and counted.
 */
#ifndef KTOP_PPROF_HTTP_H
#define KTOP_PPROF_HTTP_H

#include <stdint.h>

#include "collectors/collector.h"
#include "core/http_server.h"
#include "core/prom.h"

#define PPROF_HTTP_DEFAULT_S  30   /* seconds= when not given, as Go's net/http/pprof */
#define PPROF_HTTP_MAX_S      300  /* the longest profile a request may ask for */
#define PPROF_HTTP_MAX_ACTIVE 2	   /* profiles collected at once; more get 429 */
#define PPROF_HTTP_TICK_MS    1000 /* how often a profile's collector is polled */

/* What the endpoints answered since start. */
struct pprof_http_stats {
	uint64_t served;  /* 200: a profile */
	uint64_t refused; /* 429: PPROF_HTTP_MAX_ACTIVE were running */
	uint64_t bad;	  /* 400: a bad parameter */
	uint64_t failed;  /* 503: the collector could not open, or the profile not be written */
};

struct pprof_http;

/*
 * The endpoints, their collectors opened with a copy of cfg (its symbol cache and unwinder
 * not borrowed: each profile makes its own). Never fails (aborts on out of memory).
 */
struct pprof_http *pprof_http_new(const struct ktop_config *cfg);
/* Add the routes to s (before it starts); 0 or -ENOSPC. */
int pprof_http_route(struct pprof_http *ph, struct http_server *s);
/* Make the profiles in progress end now, with what they have (before the server stops). */
void pprof_http_stop(struct pprof_http *ph);
/* Free (after the server stopped); NULL does nothing. */
void pprof_http_free(struct pprof_http *ph);
/* The counts so far; any thread. */
void pprof_http_stats(struct pprof_http *ph, struct pprof_http_stats *out);
/* The counts as Prometheus series (ktop_pprof_requests_total{result}). */
void pprof_http_render(struct pprof_http *ph, struct prom_buf *b);

#endif
