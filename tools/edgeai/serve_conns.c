// SPDX-License-Identifier: MIT
/*
 * serve_conns - the header deadline of every connection (see the header).
 * The tracked connections are a list under one lock. libmicrohttpd reports
 * a connection closed before it closes its socket, and the reaper shuts a
 * socket down only under the lock and only while the connection is listed,
 * so it never touches a descriptor that was closed and reused.
 */
#include "serve_conns.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ea_clock.h"

#define REAP_EVERY_MS 250
#define ADDR_BUCKETS 1024	/* of the per-address counts */
#define REPORT_EVERY_MS 10000	/* a count's log line, at most this often */

/* A client address (IPv4 or IPv6, the port left out) and its connections. */
struct addr_key {
	uint8_t bytes[16];
	uint8_t len;
};

struct addr_count {
	struct addr_key key;
	unsigned n;
	struct addr_count *next;
};

/* A count logged as it grows, a line at most every REPORT_EVERY_MS. */
struct tally {
	unsigned long long n, reported;
	double reported_ms;
	char what[64];		/* "closed at the header deadline" */
};

/* Under the tracker's lock. */
static void tally_report(struct tally *t, double now)
{
	char line[128];
	int n;

	if (t->n == t->reported || now - t->reported_ms < REPORT_EVERY_MS)
		return;
	n = snprintf(line, sizeof(line), "edgeai serve: %llu connection(s) %s so far\n", t->n,
		     t->what);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
	t->reported = t->n;
	t->reported_ms = now;
}

struct conn {
	struct serve_conns *cs;
	struct addr_key addr;
	bool counted;		/* in its address's count */
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
	unsigned per_ip;	/* 0: no cap */
	/* Connections closed at the header deadline, refused past --per-ip,
	 * refused at the connection limit. */
	struct tally reaped, refused_ip, refused_at_limit;
	struct addr_count *buckets[ADDR_BUCKETS];
};

static bool addr_key_of(const struct sockaddr *sa, struct addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa && sa->sa_family == AF_INET) {
		memcpy(k->bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		k->len = 4;
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(k->bytes, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		k->len = 16;
	}
	return k->len != 0;
}

static struct addr_count **bucket_of(struct serve_conns *cs, const struct addr_key *k)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (int i = 0; i < k->len; i++)
		h = (h ^ k->bytes[i]) * 16777619u;
	return &cs->buckets[h % ADDR_BUCKETS];
}

/* The count of @k's connections, made when @make (under the lock). */
static struct addr_count *addr_count(struct serve_conns *cs, const struct addr_key *k, bool make)
{
	struct addr_count **slot = bucket_of(cs, k), *a;

	for (a = *slot; a; a = a->next)
		if (a->key.len == k->len && !memcmp(a->key.bytes, k->bytes, k->len))
			return a;
	if (!make || !(a = calloc(1, sizeof(*a))))
		return NULL;
	a->key = *k;
	a->next = *slot;
	*slot = a;
	return a;
}

static void addr_release(struct serve_conns *cs, const struct addr_key *k)
{
	struct addr_count *a = addr_count(cs, k, false);

	if (!a || --a->n)
		return;
	for (struct addr_count **p = bucket_of(cs, k); *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			free(a);
			return;
		}
}

enum MHD_Result serve_conns_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct serve_conns *cs = cls;
	struct addr_key k;
	struct addr_count *a;
	bool ok = true;

	(void)len;
	if (!cs->per_ip || !addr_key_of(addr, &k))
		return MHD_YES;
	pthread_mutex_lock(&cs->lock);
	a = addr_count(cs, &k, false);
	if (a && a->n >= cs->per_ip) {
		ok = false;
		cs->refused_ip.n++;
		tally_report(&cs->refused_ip, ea_now_ms());
	}
	pthread_mutex_unlock(&cs->lock);
	return ok ? MHD_YES : MHD_NO;
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
				cs->reaped.n++;
			}
		tally_report(&cs->reaped, now);
		tally_report(&cs->refused_ip, now);
		tally_report(&cs->refused_at_limit, now);
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

struct serve_conns *serve_conns_start(unsigned header_timeout_s, unsigned per_ip)
{
	struct serve_conns *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return NULL;
	cs->header_timeout_ms = header_timeout_s * 1e3;
	cs->per_ip = per_ip;
	snprintf(cs->reaped.what, sizeof(cs->reaped.what), "closed at the header deadline");
	snprintf(cs->refused_ip.what, sizeof(cs->refused_ip.what),
		 "refused past the per-address limit of %u", per_ip);
	snprintf(cs->refused_at_limit.what, sizeof(cs->refused_at_limit.what),
		 "refused at the connection limit");
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
	for (int i = 0; i < ADDR_BUCKETS; i++)
		while (cs->buckets[i]) {
			struct addr_count *a = cs->buckets[i];

			cs->buckets[i] = a->next;
			free(a);
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
		const union MHD_ConnectionInfo *client =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		struct addr_count *a;

		k->cs = cs;
		k->fd = fd->connect_fd;
		k->since_ms = ea_now_ms();
		pthread_mutex_lock(&cs->lock);
		if (client && addr_key_of(client->client_addr, &k->addr) &&
		    (a = addr_count(cs, &k->addr, true))) {
			a->n++;
			k->counted = true;
		}
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
		if (k->counted)
			addr_release(cs, &k->addr);
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
	n = cs->reaped.n;
	pthread_mutex_unlock(&cs->lock);
	return n;
}

void serve_conns_refused_at_limit(struct serve_conns *cs)
{
	pthread_mutex_lock(&cs->lock);
	cs->refused_at_limit.n++;
	tally_report(&cs->refused_at_limit, ea_now_ms());
	pthread_mutex_unlock(&cs->lock);
}

unsigned serve_conns_open(struct serve_conns *cs)
{
	unsigned n;

	pthread_mutex_lock(&cs->lock);
	n = cs->open;
	pthread_mutex_unlock(&cs->lock);
	return n;
}
