/* SPDX-License-Identifier: MIT */
/*
 * ea_route_restore - put redacted personal data back into an answer that
 * streams in pieces. A placeholder ("[EMAIL_1]") may be split over any number
 * of pieces: text that could still be the start of a placeholder is held
 * back until the next piece says what it is, and let go at the end.
 */
#ifndef EA_ROUTE_RESTORE_H
#define EA_ROUTE_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "ea_pii.h"

/* Called with restored text, in order; return false to stop. */
typedef bool (*ea_restore_fn)(const char *text, size_t len, void *user);

struct ea_restore {
	const struct ea_pii_redaction *redaction;	/* NULL: pass through */
	char *held;		/* a possible placeholder's start */
	size_t held_len, held_cap;
	ea_restore_fn out;
	void *user;
	bool failed;		/* out of memory */
};

void ea_restore_init(struct ea_restore *r, const struct ea_pii_redaction *redaction,
		     ea_restore_fn out, void *user);

/* Restore @len more bytes; false when @out stopped or memory ran out. */
bool ea_restore_feed(struct ea_restore *r, const char *text, size_t len);

/* The answer ended: let the held bytes go as they are. */
bool ea_restore_flush(struct ea_restore *r);

void ea_restore_free(struct ea_restore *r);

#endif /* EA_ROUTE_RESTORE_H */
