// SPDX-License-Identifier: MIT
/*
 * test_pii.c - the personal-data detector against a table of texts: what must
 * match (with its kind and exact extent) and near-misses that must not; then
 * redaction and restoration round trips.
 */
#include <stdlib.h>
#include <string.h>

#include "ea_pii.h"
#include "ea_tap.h"

#define NONE -1

static const struct {
	const char *text;
	int kind;		/* expected kind of the one match, or NONE */
	const char *match;	/* the bytes it must cover */
} cases[] = {
	/* e-mail */
	{ "write to jane.doe@example.com today", EA_PII_EMAIL, "jane.doe@example.com" },
	{ "(a+b_c%d-e@mail.co.uk).", EA_PII_EMAIL, "a+b_c%d-e@mail.co.uk" },
	{ "end of sentence: x@y.org.", EA_PII_EMAIL, "x@y.org" },
	{ "an @ sign alone", NONE, NULL },
	{ "user@localhost has no dot", NONE, NULL },
	{ "a..b@example.com has a double dot", NONE, NULL },
	{ "bob@example.c1 has a numeric TLD", NONE, NULL },
	{ "@handle on social media", NONE, NULL },
	/* cards (Luhn) */
	{ "card 4111 1111 1111 1111 exp", EA_PII_CARD, "4111 1111 1111 1111" },
	{ "pay with 5500-0000-0000-0004.", EA_PII_CARD, "5500-0000-0000-0004" },
	{ "amex 378282246310005", EA_PII_CARD, "378282246310005" },
	{ "card 4111 1111 1111 1112 fails Luhn", NONE, NULL },
	{ "order 4111111111111111999 is too long", NONE, NULL },
	{ "mixed 4111 1111-1111 1111 separators", NONE, NULL },
	/* IBAN (mod 97, country length) */
	{ "IBAN DE89 3704 0044 0532 0130 00 please", EA_PII_IBAN, "DE89 3704 0044 0532 0130 00" },
	{ "GB82WEST12345698765432", EA_PII_IBAN, "GB82WEST12345698765432" },
	{ "FR1420041010050500013M02606 ok", EA_PII_IBAN, "FR1420041010050500013M02606" },
	{ "DE89 3704 0044 0532 0130 01 bad checksum", NONE, NULL },
	{ "GB82WEST1234569876543 one short", NONE, NULL },
	{ "XX89370400440532013000 unknown country", NONE, NULL },
	/* phones */
	{ "call +49 30 1234567 now", EA_PII_PHONE, "+49 30 1234567" },
	{ "call (555) 123-4567.", EA_PII_PHONE, "(555) 123-4567" },
	{ "or +1 (555) 123-4567", EA_PII_PHONE, "+1 (555) 123-4567" },
	{ "tel 030-1234-5678", EA_PII_PHONE, "030-1234-5678" },
	{ "tel 06.12.34.56.78", EA_PII_PHONE, "06.12.34.56.78" },
	{ "on 2024-01-15 we met", NONE, NULL },
	{ "host 192.168.100.200 is up", NONE, NULL },
	{ "version 1.2.3 released", NONE, NULL },
	{ "order number 123456789012", NONE, NULL },
	{ "pi is 3.14159265358", NONE, NULL },
	{ "+12 is too short", NONE, NULL },
	{ "Package: vim, version 2:9.0.1378-2, 30 MB", NONE, NULL },
};

static void check_case(struct tap *t, size_t i)
{
	const char *text = cases[i].text;
	struct ea_pii_span spans[4];
	size_t n = ea_pii_scan(text, strlen(text), spans, 4);

	if (cases[i].kind == NONE) {
		if (!tap_ok(t, n == 0, "no match in \"%s\"", text))
			tap_diag("found %s \"%.*s\"", ea_pii_kind_name(spans[0].kind),
				 (int)spans[0].len, text + spans[0].start);
		return;
	}
	bool ok = n == 1 && (int)spans[0].kind == cases[i].kind &&
		  spans[0].len == strlen(cases[i].match) &&
		  !memcmp(text + spans[0].start, cases[i].match, spans[0].len);
	if (!tap_ok(t, ok, "%s \"%s\" in \"%s\"",
		    ea_pii_kind_name((enum ea_pii_kind)cases[i].kind), cases[i].match, text))
		for (size_t k = 0; k < n && k < 4; k++)
			tap_diag("found %s \"%.*s\"", ea_pii_kind_name(spans[k].kind),
				 (int)spans[k].len, text + spans[k].start);
}

static void check_redaction(struct tap *t)
{
	const char *text = "Mail a@b.com or a@b.com, call +33 1 23 45 67 89, card 4111111111111111.";
	struct ea_pii_redaction r;
	char *back;

	tap_ok(t, ea_pii_redact(text, &r) == EA_OK, "redact a text with four values");
	tap_ok(t, !strcmp(r.text, "Mail [EMAIL_1] or [EMAIL_1], call [PHONE_1], card [CARD_1]."),
	       "placeholders replace the values, the same value once: %s", r.text);
	tap_ok(t, r.count == 3, "three distinct values recorded (%zu)", r.count);
	back = ea_pii_restore(&r, "Sure: [CARD_1] and [EMAIL_1]; [UNKNOWN_9] stays.");
	tap_ok(t, back && !strcmp(back, "Sure: 4111111111111111 and a@b.com; [UNKNOWN_9] stays."),
	       "restore puts the originals back: %s", back ? back : "(null)");
	free(back);
	back = ea_pii_restore(&r, r.text);
	tap_ok(t, back && !strcmp(back, text), "restore(redact(x)) == x");
	free(back);
	ea_pii_redaction_free(&r);

	tap_ok(t, ea_pii_redact("nothing personal here", &r) == EA_OK &&
		  r.count == 0 && !strcmp(r.text, "nothing personal here"),
	       "a text without personal data is unchanged");
	ea_pii_redaction_free(&r);
}

int main(void)
{
	struct tap t = { 0 };
	size_t n = sizeof(cases) / sizeof(cases[0]);

	tap_plan(&t, (int)n + 6);
	for (size_t i = 0; i < n; i++)
		check_case(&t, i);
	check_redaction(&t);
	return tap_done(&t);
}
