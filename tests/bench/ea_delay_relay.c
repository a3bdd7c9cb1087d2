// SPDX-License-Identifier: MIT
/*
 * ea_delay_relay - a TCP relay that adds a round trip: every byte it carries
 * is held for half of it, in each direction. It stands in for tc netem where
 * the kernel has no sch_netem (make eval-collab's speculative figures): for
 * request/response traffic over a kept-alive connection the client sees what
 * netem's delay gives it. Unlike netem it does not delay the TCP handshake
 * or acknowledgements, and it adds no loss.
 *
 * usage: ea_delay_relay LISTEN_PORT UPSTREAM_PORT RTT_MS
 * (loopback on both sides; LISTEN_PORT 0: any free port, printed first on
 * stdout). Up to MAX_CONNS connections; each direction holds at most
 * MAX_HELD bytes in flight, then stops reading. Exits on SIGTERM/SIGINT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 32
#define MAX_HELD (4 << 20)
#define CHUNK 65536

/* Bytes read at one time, due at another. */
struct chunk {
	struct chunk *next;
	double due;
	size_t len, sent;
	unsigned char data[];
};

/* One direction of a connection: from fd @from to fd @to. */
struct pipe {
	int from, to;
	struct chunk *head, *tail;
	size_t held;
	bool eof, shut;
};

struct conn {
	bool used;
	struct pipe up, down;	/* client to upstream, upstream to client */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		perror("ea_delay_relay: listen");
		exit(1);
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void pipe_free(struct pipe *p)
{
	while (p->head) {
		struct chunk *c = p->head;

		p->head = c->next;
		free(c);
	}
	p->tail = NULL;
	p->held = 0;
}

static void conn_close(struct conn *c)
{
	pipe_free(&c->up);
	pipe_free(&c->down);
	close(c->up.from);
	close(c->up.to);
	c->used = false;
}

/* Read what @p's source has into a chunk due @delay ms from now; false at an error. */
static bool pipe_read(struct pipe *p, double delay)
{
	struct chunk *c = malloc(sizeof(*c) + CHUNK);
	ssize_t n;

	if (!c)
		return false;
	n = read(p->from, c->data, CHUNK);
	if (n <= 0) {
		free(c);
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			p->eof = true;
			return n == 0;
		}
		return true;
	}
	*c = (struct chunk){ .due = now_ms() + delay, .len = (size_t)n };
	n = (ssize_t)c->len;
	if (p->tail)
		p->tail->next = c;
	else
		p->head = c;
	p->tail = c;
	p->held += (size_t)n;
	return true;
}

/* Write @p's due chunks; false at an error. */
static bool pipe_write(struct pipe *p)
{
	while (p->head && p->head->due <= now_ms()) {
		struct chunk *c = p->head;
		ssize_t n = write(p->to, c->data + c->sent, c->len - c->sent);

		if (n < 0)
			return errno == EINTR || errno == EAGAIN;
		c->sent += (size_t)n;
		if (c->sent < c->len)
			return true;
		p->head = c->next;
		if (!p->head)
			p->tail = NULL;
		p->held -= c->len;
		free(c);
	}
	if (p->eof && !p->head && !p->shut) {
		shutdown(p->to, SHUT_WR);
		p->shut = true;
	}
	return true;
}

int main(int argc, char **argv)
{
	static struct conn conns[MAX_CONNS];
	struct pollfd fds[1 + 2 * MAX_CONNS];
	int lfd, upstream, rtt;
	double half;

	if (argc != 4 || (rtt = atoi(argv[3])) < 0 || (upstream = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: ea_delay_relay LISTEN_PORT UPSTREAM_PORT RTT_MS\n");
		return 2;
	}
	half = rtt / 2.0;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	lfd = listen_on(atoi(argv[1]));
	while (!stop) {
		double next = -1, t = now_ms();
		int n = 0, timeout, fresh = -1;

		fds[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < MAX_CONNS; i++) {
			struct pipe *ps[2] = { &conns[i].up, &conns[i].down };

			for (int k = 0; k < 2 && conns[i].used; k++) {
				struct pipe *p = ps[k];
				short ev = 0;

				if (!p->eof && p->held < MAX_HELD)
					ev |= POLLIN;
				fds[n].fd = p->from;
				fds[n].events = ev;
				fds[n].revents = 0;
				n++;
				if (p->head && (next < 0 || p->head->due < next))
					next = p->head->due;
			}
		}
		timeout = next < 0 ? 1000 : next <= t ? 0 : (int)(next - t) + 1;
		if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN) {
			int cfd = accept(lfd, NULL, NULL), ufd = cfd >= 0 ? connect_to(upstream) : -1;
			int one = 1, slot = -1;

			for (int i = 0; i < MAX_CONNS && slot < 0; i++)
				if (!conns[i].used)
					slot = i;
			if (cfd >= 0 && (ufd < 0 || slot < 0)) {
				close(cfd);
				if (ufd >= 0)
					close(ufd);
			} else if (cfd >= 0) {
				setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				fresh = slot;
				conns[slot] = (struct conn){ .used = true,
							     .up = { .from = cfd, .to = ufd },
							     .down = { .from = ufd, .to = cfd } };
			}
		}
		for (int i = 0, f = 1; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			bool ok = true;

			if (!c->used || i == fresh)
				continue;	/* a new one was not polled yet */
			if (fds[f].revents & (POLLIN | POLLHUP | POLLERR))
				ok = pipe_read(&c->up, half);
			if (ok && fds[f + 1].revents & (POLLIN | POLLHUP | POLLERR))
				ok = pipe_read(&c->down, half);
			f += 2;
			ok = ok && pipe_write(&c->up) && pipe_write(&c->down);
			if (!ok || (c->up.shut && c->down.shut))
				conn_close(c);
		}
	}
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].used)
			conn_close(&conns[i]);
	close(lfd);
	return 0;
}
