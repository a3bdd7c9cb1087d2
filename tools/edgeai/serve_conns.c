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
#define REPORT_EVERY_MS 10000	/* the reaped count's log line, at most this often */

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
	unsigned long long reaped, reported;
	double reported_ms;
	unsigned per_ip;	/* 0: no cap */
	unsigned long long refused_ip, refused_ip_reported;
	double refused_ip_reported_ms;
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

/* The count of connections refused past --per-ip, likewise (under the lock). */
static void report_refused(struct serve_conns *cs, double now)
{
	char line[128];
	int n;

	if (cs->refused_ip == cs->refused_ip_reported ||
	    now - cs->refused_ip_reported_ms < REPORT_EVERY_MS)
		return;
	n = snprintf(line, sizeof(line), "edgeai serve: %llu connection(s) refused past the "
		     "per-address limit of %u so far\n", cs->refused_ip, cs->per_ip);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
	cs->refused_ip_reported = cs->refused_ip;
	cs->refused_ip_reported_ms = now;
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
		cs->refused_ip++;
		report_refused(cs, ea_now_ms());
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
				cs->reaped++;
			}
		report(cs, now);
		report_refused(cs, now);
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
