/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP side of --listen: libmicrohttpd serving registered paths on its own threads (one
 * per connection, a bounded number, each timed out), so that no client can stall the UI or
 * the collectors. Handlers run on those threads: they may block (a profile over N seconds)
 * but must touch only what their owner published for them, never live collector state.
 */
#ifndef KTOP_HTTP_SERVER_H
#define KTOP_HTTP_SERVER_H

#include <stddef.h>

#define HTTP_MAX_ROUTES	     16
#define HTTP_MAX_CONNECTIONS 128 /* more at once are refused */
#define HTTP_TIMEOUT_S	     10	 /* an idle or slow connection is closed after this */

struct http_server;
struct http_request;

/*
 * What a handler answers. body is malloc'd and the server frees it, unless release is set:
 * then body is borrowed and release(release_arg) is called once it has been sent.
 */
struct http_reply {
	unsigned int status;	  /* 200 unless the handler says otherwise */
	const char *content_type; /* a static string */
	char *body;
	size_t len;
	void (*release)(void *release_arg);
	void *release_arg;
};

/* Answer a GET (or HEAD) of the handler's path, on one of the server's threads. */
typedef void http_handler_fn(void *arg, const struct http_request *req, struct http_reply *rep);

/* A server with no route yet; never fails (aborts on out of memory). */
struct http_server *http_server_new(void);
/* Serve path (exact, e.g. "/metrics") with fn(arg, ...); before start. 0 or -ENOSPC. */
int http_server_route(struct http_server *s, const char *path, http_handler_fn *fn, void *arg);
/*
 * Listen on "[ADDR:]PORT" (ADDR an IPv4 address, a [IPv6] one or a host name; loopback when
 * only the port is given; port 0: any free one) and start serving. 0, or -errno with one line
 * in why, e.g. "127.0.0.1:9100: Address already in use".
 */
int http_server_start(struct http_server *s, const char *listen, char *why, size_t why_len);
/* The address it listens on, "127.0.0.1:9100" or "[::1]:9100" ("" before start). */
const char *http_server_address(const struct http_server *s);
/* Stop serving (waits for the handlers running) and free; NULL does nothing. */
void http_server_free(struct http_server *s);

/* The request's query argument name ("seconds" in ?seconds=5), or NULL. */
const char *http_request_arg(const struct http_request *req, const char *name);
/* The request's path, e.g. "/metrics" (no query). */
const char *http_request_path(const struct http_request *req);
/*
 * Let the request's connection stay idle seconds (more than HTTP_TIMEOUT_S) from now: a
 * handler that answers after a while (a profile) says so first, so that its answer is sent.
 */
void http_request_keep(const struct http_request *req, unsigned int seconds);

/* Split "[ADDR:]PORT" into host (loopback if none) and port; 0 or -EINVAL with why. */
int http_listen_parse(const char *listen, char *host, size_t host_len, unsigned int *port,
		      char *why, size_t why_len);

#endif
