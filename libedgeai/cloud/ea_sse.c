// SPDX-License-Identifier: MIT
/*
 * ea_sse.c - server-sent events, as the HTML living standard defines them:
 * lines end in CR, LF or CRLF; a blank line ends an event; "data:" lines
 * (one optional space after the colon) accumulate the event's data.
 */
#include "ea_sse.h"

#include <stdlib.h>
#include <string.h>

void ea_sse_init(struct ea_sse *p, ea_sse_event_fn on_event, void *user,
		 size_t max_event)
{
	memset(p, 0, sizeof(*p));
	p->on_event = on_event;
	p->user = user;
	p->max_event = max_event;
}

void ea_sse_free(struct ea_sse *p)
{
	free(p->line);
	free(p->data);
	memset(p, 0, sizeof(*p));
}

static bool grow(char **buf, size_t *cap, size_t need)
{
	size_t want = *cap ? *cap : 256;
	char *b;

	if (need <= *cap)
		return true;
	while (want < need)
		want *= 2;
	b = realloc(*buf, want);
	if (!b)
		return false;
	*buf = b;
	*cap = want;
	return true;
}

static bool dispatch(struct ea_sse *p)
{
	bool more;

	if (!p->has_data)
		return true;
	p->data[p->data_len] = '\0';
	more = p->on_event(p->data, p->data_len, p->user);
	p->data_len = 0;
	p->has_data = false;
	return more;
}

/* One complete line: a field of the current event, or its end. */
static bool take_line(struct ea_sse *p)
{
	const char *value;
	size_t n = p->line_len, vlen;

	if (n == 0)
		return dispatch(p);
	if (n < 5 || memcmp(p->line, "data", 4) || (n > 4 && p->line[4] != ':'))
		return true;
	value = p->line + 5;
	vlen = n - 5;
	if (vlen && *value == ' ') {
		value++;
		vlen--;
	}
	if (p->data_len + vlen + 2 > p->max_event ||
	    !grow(&p->data, &p->data_cap, p->data_len + vlen + 2)) {
		p->failed = true;
		return false;
	}
	if (p->has_data)
		p->data[p->data_len++] = '\n';
	memcpy(p->data + p->data_len, value, vlen);
	p->data_len += vlen;
	p->has_data = true;
	return true;
}

bool ea_sse_feed(struct ea_sse *p, const char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = bytes[i];

		if (p->failed)
			return false;
		if (p->skip_lf) {
			p->skip_lf = false;
			if (c == '\n')
				continue;
		}
		if (c == '\r' || c == '\n') {
			p->skip_lf = c == '\r';
			if (!take_line(p))
				return false;
			p->line_len = 0;
			continue;
		}
		if (p->line_len + 1 > p->max_event ||
		    !grow(&p->line, &p->line_cap, p->line_len + 1)) {
			p->failed = true;
			return false;
		}
		p->line[p->line_len++] = c;
	}
	return !p->failed;
}
