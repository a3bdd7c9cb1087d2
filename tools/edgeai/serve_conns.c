// SPDX-License-Identifier: MIT
/*
 * serve_conns - the header deadline of every connection (see the header).
 * The tracked connections are a list under one lock. libmicrohttpd reports
 * a connection closed before it closes its socket, and the reaper shuts a
 * socket down only under the lock and only while the connection is listed,
 * so it never touches a descriptor that was closed and reused.
 */
#include "serve_conns.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ea_clock.h"

#define REAP_EVERY_MS 250
#define REPORT_EVERY_MS 10000	/* the reaped count's log line, at most this often */

struct conn {
	struct serve_conns *cs;
	MHD_socket fd;
	double since_ms;	/* opened, or its last request ended */
	bool in_request;	/* a whole header came; its request runs */
	bool reaped;
	struct conn *prev, *next;
};

struct serve_conns {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stopping;
	double header_timeout_ms;
	struct conn *head;
	unsigned open;
	unsigned long long reaped, reported;
	double reported_ms;
};

/* The count of reaped connections, a line at most every REPORT_EVERY_MS. */
static void report(struct serve_conns *cs, double now)
{
	char line[128];
	int n;

	if (cs->reaped == cs->reported || now - cs->reported_ms < REPORT_EVERY_MS)
		return;
	n = snprintf(line, sizeof(line), "edgeai serve: %llu connection(s) closed at the header "
		     "deadline so far\n", cs->reaped);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
	cs->reported = cs->reaped;
	cs->reported_ms = now;
}

static void *reaper(void *arg)
{
	struct serve_conns *cs = arg;

	pthread_mutex_lock(&cs->lock);
	while (!cs->stopping) {
		struct timespec until;
		double now = ea_now_ms();

		for (struct conn *k = cs->head; k; k = k->next)
			if (!k->in_request && !k->reaped &&
			    now - k->since_ms > cs->header_timeout_ms) {
				/* libmicrohttpd sees the end of the stream and closes it. */
				shutdown(k->fd, SHUT_RDWR);
				k->reaped = true;
				cs->reaped++;
			}
		report(cs, now);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += REAP_EVERY_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&cs->wake, &cs->lock, &until);
	}
	pthread_mutex_unlock(&cs->lock);
	return NULL;
}

struct serve_conns *serve_conns_start(unsigned header_timeout_s)
{
	struct serve_conns *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return NULL;
	cs->header_timeout_ms = header_timeout_s * 1e3;
	pthread_mutex_init(&cs->lock, NULL);
	pthread_cond_init(&cs->wake, NULL);
	if (pthread_create(&cs->thread, NULL, reaper, cs) != 0) {
		pthread_mutex_destroy(&cs->lock);
		pthread_cond_destroy(&cs->wake);
		free(cs);
		return NULL;
	}
	return cs;
}

void serve_conns_stop(struct serve_conns *cs)
{
	if (!cs)
		return;
	pthread_mutex_lock(&cs->lock);
	cs->stopping = true;
	pthread_cond_signal(&cs->wake);
	pthread_mutex_unlock(&cs->lock);
	pthread_join(cs->thread, NULL);
	while (cs->head) {
		struct conn *k = cs->head;

		cs->head = k->next;
		free(k);
	}
	pthread_mutex_destroy(&cs->lock);
	pthread_cond_destroy(&cs->wake);
	free(cs);
}

void serve_conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	struct serve_conns *cs = cls;
	struct conn *k = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		k = calloc(1, sizeof(*k));
		*socket_context = k;
		if (!k || !fd)
			return;	/* untracked: only libmicrohttpd's own timeout applies */
		k->cs = cs;
		k->fd = fd->connect_fd;
		k->since_ms = ea_now_ms();
		pthread_mutex_lock(&cs->lock);
		k->next = cs->head;
		if (cs->head)
			cs->head->prev = k;
		cs->head = k;
		cs->open++;
		pthread_mutex_unlock(&cs->lock);
		return;
	}
	if (!k)
		return;
	if (k->cs) {
		pthread_mutex_lock(&cs->lock);
		if (k->prev)
			k->prev->next = k->next;
		else
			cs->head = k->next;
		if (k->next)
			k->next->prev = k->prev;
		cs->open--;
		pthread_mutex_unlock(&cs->lock);
	}
	free(k);
	*socket_context = NULL;
}

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = i ? i->socket_context : NULL;

	return k && k->cs ? k : NULL;
}

static void mark(struct MHD_Connection *c, bool in_request)
{
	struct conn *k = conn_of(c);

	if (!k)
		return;
	pthread_mutex_lock(&k->cs->lock);
	k->in_request = in_request;
	k->since_ms = ea_now_ms();
	pthread_mutex_unlock(&k->cs->lock);
}

void serve_conns_request_began(struct MHD_Connection *c)
{
	mark(c, true);
}

void serve_conns_request_ended(struct MHD_Connection *c)
{
	mark(c, false);
}

unsigned long long serve_conns_reaped(struct serve_conns *cs)
{
	unsigned long long n;

	pthread_mutex_lock(&cs->lock);
	n = cs->reaped;
	pthread_mutex_unlock(&cs->lock);
	return n;
}

unsigned serve_conns_open(struct serve_conns *cs)
{
	unsigned n;

	pthread_mutex_lock(&cs->lock);
	n = cs->open;
	pthread_mutex_unlock(&cs->lock);
	return n;
}
