// SPDX-License-Identifier: GPL-2.0
#include "core/http_server.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define HTTP_THREAD_STACK (256 * 1024)
#define HTTP_LOOPBACK	  "127.0.0.1"

struct http_route {
	char path[64];
	http_handler_fn *fn;
	void *arg;
};

struct http_server {
	struct http_route routes[HTTP_MAX_ROUTES];
	size_t nroutes;
	struct MHD_Daemon *daemon;
	char address[80];
};

struct http_request {
	struct MHD_Connection *conn;
	const char *path;
};

struct http_server *http_server_new(void)
{
	return xcalloc(1, sizeof(struct http_server));
}

int http_server_route(struct http_server *s, const char *path, http_handler_fn *fn, void *arg)
{
	struct http_route *r;

	if (s->nroutes == HTTP_MAX_ROUTES || strlen(path) >= sizeof(r->path))
		return -ENOSPC;
	r = &s->routes[s->nroutes++];
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->fn = fn;
	r->arg = arg;
	return 0;
}

const char *http_request_arg(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_path(const struct http_request *req)
{
	return req->path;
}

void http_request_keep(const struct http_request *req, unsigned int seconds)
{
	MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT, seconds);
}

int http_listen_parse(const char *spec, char *host, size_t host_len, unsigned int *port, char *why,
		      size_t why_len)
{
	const char *colon = strrchr(spec, ':');
	const char *h = spec;
	size_t hlen = colon ? (size_t)(colon - spec) : 0;
	char reason[128];
	uint64_t p;

	if (parse_u64(colon ? colon + 1 : spec, 0, 65535, &p, reason, sizeof(reason))) {
		snprintf(why, why_len, "'%s': the port: %s", spec, reason);
		return -EINVAL;
	}
	if (!colon) {
		snprintf(host, host_len, "%s", HTTP_LOOPBACK);
		*port = (unsigned int)p;
		return 0;
	}
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	} else if (memchr(h, ':', hlen)) {
		snprintf(why, why_len, "'%s': write an IPv6 address in brackets, [::1]:PORT", spec);
		return -EINVAL;
	}
	if (!hlen || hlen >= host_len) {
		snprintf(why, why_len, "'%s': %s", spec,
			 hlen ? "the address is too long" : "no address before ':'");
		return -EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned int)p;
	return 0;
}

/* A listening TCP socket on host:port, its address in s->address; fd or -errno with why. */
static int listen_socket(struct http_server *s, const char *spec, char *why, size_t why_len)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char host[64], service[8], name[INET6_ADDRSTRLEN];
	struct addrinfo *ai;
	unsigned int port;
	int fd, err, one = 1;

	err = http_listen_parse(spec, host, sizeof(host), &port, why, why_len);
	if (err)
		return err;
	snprintf(service, sizeof(service), "%u", port);
	err = getaddrinfo(host, service, &hints, &ai);
	if (err) {
		snprintf(why, why_len, "%s: %s", spec, gai_strerror(err));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: socket: %s", spec, strerror(errno));
		goto out_free;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen)) {
		err = -errno;
		snprintf(why, why_len, "%s:%u: %s", host, port, strerror(errno));
		close(fd);
		goto out_free;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, name, sizeof(name));
		snprintf(s->address, sizeof(s->address), "[%s]:%u", name, ntohs(sin6->sin6_port));
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, name, sizeof(name));
		snprintf(s->address, sizeof(s->address), "%s:%u", name, ntohs(sin->sin_port));
	}
	err = fd;
out_free:
	freeaddrinfo(ai);
	return err;
}

/* libmicrohttpd's messages go to ktop's log, never to the terminal. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_msg("http: %s", line);
}

/* Queue a reply; the body goes to libmicrohttpd, which frees or releases it once sent. */
static enum MHD_Result reply(struct MHD_Connection *conn, const struct http_reply *rep)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (rep->release)
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
			rep->len, rep->body, rep->release, rep->release_arg);
	else
		resp = MHD_create_response_from_buffer(rep->len, rep->body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		if (rep->release)
			rep->release(rep->release_arg);
		else
			free(rep->body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
	if (rep->status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, rep->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A short plain-text answer. */
static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text)
{
	struct http_reply rep = { .status = status,
				  .content_type = "text/plain",
				  .body = xstrdup(text),
				  .len = strlen(text) };

	return reply(conn, &rep);
}

/* One request: its route's handler, 405 for a method other than GET and HEAD, 404 elsewhere. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct http_server *s = cls;
	struct http_request req = { .conn = conn, .path = url };
	struct http_reply rep = { .status = MHD_HTTP_OK, .content_type = "text/plain" };

	(void)version;
	(void)upload_data;
	if (!*req_cls) {
		/* the headers only: answer on the next call, once any body is known */
		*req_cls = s;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* a body is read and ignored */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	for (size_t i = 0; i < s->nroutes; i++) {
		if (strcmp(s->routes[i].path, url))
			continue;
		s->routes[i].fn(s->routes[i].arg, &req, &rep);
		if (!rep.body && !rep.release)
			rep.body = xstrdup("");
		return reply(conn, &rep);
	}
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

int http_server_start(struct http_server *s, const char *spec, char *why, size_t why_len)
{
	sigset_t all, old;
	int fd;

	fd = listen_socket(s, spec, why, why_len);
	if (fd < 0)
		return fd;
	/* the server's threads take no signal: the main loop reads them from its signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* clang-format off: the options go in pairs */
	s->daemon =
		MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
					 MHD_USE_POLL | MHD_USE_ERROR_LOG,
				 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
				 NULL, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
				 (unsigned int)HTTP_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				 (unsigned int)HTTP_TIMEOUT_S, MHD_OPTION_THREAD_STACK_SIZE,
				 (size_t)HTTP_THREAD_STACK, MHD_OPTION_END);
	/* clang-format on */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->daemon) {
		close(fd);
		s->address[0] = '\0';
		snprintf(why, why_len, "%s: libmicrohttpd could not start", spec);
		return -EIO;
	}
	return 0;
}

const char *http_server_address(const struct http_server *s)
{
	return s->address;
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon); /* closes the listening socket it was given */
	free(s);
}
