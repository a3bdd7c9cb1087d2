// SPDX-License-Identifier: MIT
/*
 * ea_route_restore.c - streamed placeholder restoration. The pending bytes
 * (held + new piece) are scanned once: plain text runs go out as they are, a
 * whole placeholder goes out as its original, and a tail that is a proper
 * prefix of some placeholder waits for the next piece.
 */
#include "ea_route_restore.h"

#include <stdlib.h>
#include <string.h>

enum match { NO_MATCH, PARTIAL, WHOLE };

/* Does @s (@len bytes, starting with '[') begin with a placeholder? */
static enum match match_at(const struct ea_pii_redaction *red, const char *s, size_t len,
			   size_t *which)
{
	enum match best = NO_MATCH;

	for (size_t k = 0; k < red->count; k++) {
		const char *ph = red->placeholders[k];
		size_t plen = strlen(ph);

		if (len >= plen && !memcmp(s, ph, plen)) {
			*which = k;
			return WHOLE;
		}
		if (len < plen && !memcmp(s, ph, len))
			best = PARTIAL;
	}
	return best;
}

void ea_restore_init(struct ea_restore *r, const struct ea_pii_redaction *redaction,
		     ea_restore_fn out, void *user)
{
	memset(r, 0, sizeof(*r));
	r->redaction = redaction && redaction->count ? redaction : NULL;
	r->out = out;
	r->user = user;
}

static bool emit(struct ea_restore *r, const char *text, size_t len)
{
	return !len || r->out(text, len, r->user);
}

/* Emit what of @s is decided; return how many bytes are still undecided. */
static size_t scan(struct ea_restore *r, const char *s, size_t len, bool *ok)
{
	size_t plain = 0, i = 0;

	*ok = true;
	while (i < len) {
		size_t which;
		enum match m;

		if (s[i] != '[') {
			i++;
			continue;
		}
		m = match_at(r->redaction, s + i, len - i, &which);
		if (m == NO_MATCH) {
			i++;
			continue;
		}
		if (!emit(r, s + plain, i - plain)) {
			*ok = false;
			return 0;
		}
		if (m == PARTIAL)
			return len - i;
		if (!emit(r, r->redaction->originals[which],
			  strlen(r->redaction->originals[which]))) {
			*ok = false;
			return 0;
		}
		i += strlen(r->redaction->placeholders[which]);
		plain = i;
	}
	*ok = emit(r, s + plain, len - plain);
	return 0;
}

static bool hold(struct ea_restore *r, const char *s, size_t len)
{
	if (r->held_len + len > r->held_cap) {
		size_t cap = (r->held_len + len) * 2;
		char *p = realloc(r->held, cap);

		if (!p) {
			r->failed = true;
			return false;
		}
		r->held = p;
		r->held_cap = cap;
	}
	memcpy(r->held + r->held_len, s, len);
	r->held_len += len;
	return true;
}

bool ea_restore_feed(struct ea_restore *r, const char *text, size_t len)
{
	size_t rest;
	bool ok;

	if (!r->redaction)
		return emit(r, text, len);
	if (!hold(r, text, len))
		return false;
	rest = scan(r, r->held, r->held_len, &ok);
	if (!ok)
		return false;
	memmove(r->held, r->held + r->held_len - rest, rest);
	r->held_len = rest;
	return true;
}

bool ea_restore_flush(struct ea_restore *r)
{
	size_t len = r->held_len;

	r->held_len = 0;
	return emit(r, r->held, len);
}

void ea_restore_free(struct ea_restore *r)
{
	free(r->held);
	memset(r, 0, sizeof(*r));
}
