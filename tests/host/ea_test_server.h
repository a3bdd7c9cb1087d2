/* SPDX-License-Identifier: MIT */
/*
 * ea_test_server.h - a scripted HTTP server on loopback for the host tests of
 * the cloud client: a thread accepts one connection per scripted reply, reads
 * the whole request (headers and Content-Length body) into last_request,
 * waits delay_ms, sends the reply's bytes as they are and closes.
 */
#ifndef EA_TEST_SERVER_H
#define EA_TEST_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A reply starting with EA_TEST_HANG sends the rest (perhaps nothing, perhaps
 * headers) and then nothing until the server stops; one starting with
 * EA_TEST_TRICKLE sends the rest a byte every EA_TEST_TRICKLE_MS. */
#define EA_TEST_HANG "\x01hang\x01"
#define EA_TEST_TRICKLE "\x01trickle\x01"
#define EA_TEST_TRICKLE_MS 100

struct ea_test_server {
	int fd;
	int port;			/* the kernel's choice, on 127.0.0.1 */
	const char *const *replies;	/* one per connection, sent as is */
	int n_replies;
	int delay_ms;			/* before each reply */
	int served;			/* replies sent */
	bool stopping;
	char last_request[8192];
	pthread_t thread;
};

static inline void ea_test_read_request(int fd, char *buf, size_t cap)
{
	size_t used = 0;

	while (used + 1 < cap) {
		ssize_t n = read(fd, buf + used, cap - 1 - used);
		char *end, *cl;

		if (n <= 0)
			break;
		used += (size_t)n;
		buf[used] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(buf, "Content-Length:");
		if ((long)(used - (size_t)(end + 4 - buf)) >= (cl ? strtol(cl + 15, NULL, 10) : 0))
			break;
	}
	buf[used] = '\0';
}

static inline void *ea_test_serve(void *arg)
{
	struct ea_test_server *s = arg;

	for (int i = 0; i < s->n_replies; i++) {
		int c = accept(s->fd, NULL, NULL);

		if (c < 0)
			break;
		ea_test_read_request(c, s->last_request, sizeof(s->last_request));
		usleep((useconds_t)s->delay_ms * 1000);
		/* the client may have given up already: no SIGPIPE */
		if (!strncmp(s->replies[i], EA_TEST_HANG, strlen(EA_TEST_HANG))) {
			const char *head = s->replies[i] + strlen(EA_TEST_HANG);

			send(c, head, strlen(head), MSG_NOSIGNAL);
			while (!__atomic_load_n(&s->stopping, __ATOMIC_RELAXED))
				usleep(20000);
		} else if (!strncmp(s->replies[i], EA_TEST_TRICKLE, strlen(EA_TEST_TRICKLE))) {
			const char *body = s->replies[i] + strlen(EA_TEST_TRICKLE);

			for (size_t k = 0; body[k] && !__atomic_load_n(&s->stopping, __ATOMIC_RELAXED);
			     k++) {
				if (send(c, body + k, 1, MSG_NOSIGNAL) < 0)
					break;
				usleep(EA_TEST_TRICKLE_MS * 1000);
			}
		} else {
			send(c, s->replies[i], strlen(s->replies[i]), MSG_NOSIGNAL);
		}
		close(c);
		s->served++;
	}
	return NULL;
}

static inline void ea_test_server_start(struct ea_test_server *s, const char *const *replies,
					int n_replies, int delay_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->replies = replies;
	s->n_replies = n_replies;
	s->delay_ms = delay_ms;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	bind(s->fd, (struct sockaddr *)&a, sizeof(a));
	listen(s->fd, 8);
	getsockname(s->fd, (struct sockaddr *)&a, &len);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, ea_test_serve, s);
}

/* Stops accepting (a reply not yet sent is dropped) and joins the thread. */
static inline void ea_test_server_stop(struct ea_test_server *s)
{
	__atomic_store_n(&s->stopping, true, __ATOMIC_RELAXED);
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
}

/* A loopback port nothing listens on: bound, then closed. */
static inline int ea_test_dead_port(void)
{
	struct ea_test_server s;

	ea_test_server_start(&s, NULL, 0, 0);
	ea_test_server_stop(&s);
	return s.port;
}

#endif
