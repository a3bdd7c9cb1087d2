/* SPDX-License-Identifier: MIT */
/*
 * ea_sse.h - an incremental parser of server-sent events (the text/event-stream
 * format of streaming OpenAI-compatible answers). Bytes arrive in arbitrary
 * pieces; every complete event's data is handed to a callback. Only the
 * "data:" field matters to us; comments (":...") and other fields are skipped.
 */
#ifndef EA_SSE_H
#define EA_SSE_H

#include <stdbool.h>
#include <stddef.h>

/* Called with one event's data (its "data:" lines joined by '\n'). Return
 * false to stop parsing (ea_sse_feed then returns false too). */
typedef bool (*ea_sse_event_fn)(const char *data, size_t len, void *user);

struct ea_sse {
	char *line;		/* the line being read */
	size_t line_len, line_cap;
	char *data;		/* the event being assembled */
	size_t data_len, data_cap;
	bool has_data;
	bool skip_lf;		/* the last byte was a CR ending a line */
	ea_sse_event_fn on_event;
	void *user;
	size_t max_event;	/* an event larger than this is an error */
	bool failed;		/* out of memory, or an event too large */
};

void ea_sse_init(struct ea_sse *p, ea_sse_event_fn on_event, void *user,
		 size_t max_event);

/* Parse @len more bytes. False when the callback stopped or the stream is
 * bad (p->failed). */
bool ea_sse_feed(struct ea_sse *p, const char *bytes, size_t len);

void ea_sse_free(struct ea_sse *p);

#endif /* EA_SSE_H */
