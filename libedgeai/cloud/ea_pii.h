/* SPDX-License-Identifier: MIT */
/*
 * ea_pii.h - find personal data in a request's text, and redact it before
 * offload so the cloud never sees it, restoring it in the answer.
 *
 * What counts (each rule is in ea_pii.c with its reasons):
 *  - e-mail addresses: local@domain.tld;
 *  - card numbers: 13 to 19 digits, optionally grouped by single spaces or
 *    dashes, that pass the Luhn check;
 *  - IBANs: country code, two check digits and the account, optionally in
 *    groups of four, with the length of the country when it is known and a
 *    valid ISO 13616 mod-97 checksum;
 *  - phone numbers: "+" and 8 to 15 digits, or 9 to 15 digits, in groups
 *    split by single spaces, dashes, dots or a parenthesized area code;
 *    dates (2024-01-15) and dotted quads (192.168.1.20) are not phones.
 * Matches never overlap and never start or end inside a word.
 */
#ifndef EA_PII_H
#define EA_PII_H

#include <stddef.h>

#include "edgeai.h"

enum ea_pii_kind {
	EA_PII_EMAIL,
	EA_PII_PHONE,
	EA_PII_CARD,
	EA_PII_IBAN,
};

/* One piece of personal data: bytes [start, start + len) of the text. */
struct ea_pii_span {
	enum ea_pii_kind kind;
	size_t start;
	size_t len;
};

/* "EMAIL", "PHONE", "CARD" or "IBAN". */
const char *ea_pii_kind_name(enum ea_pii_kind kind);

/*
 * Scan @len bytes of @text. Stores up to @max spans in @spans, in text order,
 * and returns how many there are in all (which may be more than @max).
 */
size_t ea_pii_scan(const char *text, size_t len, struct ea_pii_span *spans,
		   size_t max);

/* A redacted text and what it replaced: placeholder i stands for original i. */
struct ea_pii_redaction {
	char *text;		/* the text with placeholders, NUL-terminated */
	size_t count;		/* number of placeholders */
	char **placeholders;	/* "[EMAIL_1]", "[CARD_2]", ... */
	char **originals;	/* the replaced bytes, NUL-terminated */
};

/*
 * Replace every span of personal data in @text with a placeholder naming its
 * kind and number. The same value gets the same placeholder each time.
 * Returns EA_OK or EA_ERR_NO_MEMORY (then @out is left empty).
 */
ea_status ea_pii_redact(const char *text, struct ea_pii_redaction *out);

/*
 * The @answer with every placeholder of @r put back to its original, as a new
 * NUL-terminated string the caller frees; NULL when out of memory.
 */
char *ea_pii_restore(const struct ea_pii_redaction *r, const char *answer);

void ea_pii_redaction_free(struct ea_pii_redaction *r);

#endif /* EA_PII_H */
