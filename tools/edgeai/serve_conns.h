/* SPDX-License-Identifier: MIT */
/*
 * serve_conns - the connections `edgeai serve` holds, and the deadline of
 * their requests' headers: a connection must send a whole request header
 * within header_timeout_s of opening, or of its previous request's end.
 * One that does not (slowloris: a header a byte at a time; or a keep-alive
 * connection left idle) is shut down by a reaper thread. libmicrohttpd's own
 * timeout only counts silence, which a byte every few seconds defeats. It
 * also caps the connections of one client address, counting refusals
 * (libmicrohttpd's own cap closes them silently).
 */
#ifndef SERVE_CONNS_H
#define SERVE_CONNS_H

#include <microhttpd.h>
#include <stdbool.h>

struct serve_conns;

/* The tracker and its reaper thread; NULL when out of memory. @per_ip: the
 * connections held at once from one client address (0: no cap). */
struct serve_conns *serve_conns_start(unsigned header_timeout_s, unsigned per_ip);

/* libmicrohttpd's accept policy (cls: the tracker): a connection past its
 * address's cap is refused, and counted (a log line at most every 10 s). */
enum MHD_Result serve_conns_accept(void *cls, const struct sockaddr *addr, socklen_t len);
void serve_conns_stop(struct serve_conns *cs);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback (cls: the tracker). */
void serve_conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			enum MHD_ConnectionNotificationCode toe);

/* A request's header has come whole (the access handler's first call). */
void serve_conns_request_began(struct MHD_Connection *c);

/* A request has ended: the next one's header deadline starts now. */
void serve_conns_request_ended(struct MHD_Connection *c);

/* libmicrohttpd refused a connection at the connection limit: counted, and
 * logged with the other counts (a line every 10 s at most). */
void serve_conns_refused_at_limit(struct serve_conns *cs);

/* Connections shut down for missing the deadline, so far; and those open. */
unsigned long long serve_conns_reaped(struct serve_conns *cs);
unsigned serve_conns_open(struct serve_conns *cs);

#endif /* SERVE_CONNS_H */
