// SPDX-License-Identifier: MIT
/*
 * ea_pii.c - personal-data detection and redaction (see ea_pii.h for the
 * rules). Each matcher looks at one position and returns the length of the
 * match there, or 0; the scanner walks the text trying them at word starts.
 */
#include "ea_pii.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_alpha(char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }
static bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

const char *ea_pii_kind_name(enum ea_pii_kind kind)
{
	switch (kind) {
	case EA_PII_EMAIL: return "EMAIL";
	case EA_PII_PHONE: return "PHONE";
	case EA_PII_CARD: return "CARD";
	case EA_PII_IBAN: return "IBAN";
	}
	return "PII";
}

/* ---- e-mail ------------------------------------------------------------ */

static bool is_local_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* A domain of two or more labels, the last alphabetic; returns its length. */
static size_t match_domain(const char *t, size_t len, size_t i)
{
	size_t end = 0, p = i, labels = 0;
	bool last_alpha;

	for (;;) {
		size_t start = p;

		last_alpha = true;
		while (p < len && (is_alnum(t[p]) || t[p] == '-')) {
			last_alpha = last_alpha && is_alpha(t[p]);
			p++;
		}
		if (p == start || t[start] == '-' || t[p - 1] == '-')
			break;
		labels++;
		if (labels >= 2 && last_alpha && p - start >= 2)
			end = p;
		if (p + 1 < len && t[p] == '.' && is_alnum(t[p + 1]))
			p++;
		else
			break;
	}
	return end ? end - i : 0;
}

static size_t match_email(const char *t, size_t len, size_t i)
{
	size_t p = i, domain;

	if (i > 0 && is_local_char(t[i - 1]))
		return 0;
	while (p < len && is_local_char(t[p])) {
		if (t[p] == '.' && (p == i || t[p - 1] == '.'))
			return 0;
		p++;
	}
	if (p == i || p - i > 64 || p >= len || t[p] != '@' || t[p - 1] == '.')
		return 0;
	domain = match_domain(t, len, p + 1);
	return domain ? p + 1 + domain - i : 0;
}

/* ---- digit groups: cards and phones ------------------------------------ */

/*
 * Digits in groups split by a single separator from @seps, the same one
 * throughout. Fills the group lengths (up to 8) and returns the end offset.
 */
struct digit_groups {
	size_t end;
	int digits;
	int count;
	int len[8];
	char sep;
};

static bool scan_groups(const char *t, size_t len, size_t i, const char *seps,
			struct digit_groups *g)
{
	size_t p = i;

	memset(g, 0, sizeof(*g));
	while (p < len && is_digit(t[p])) {
		size_t start = p;

		while (p < len && is_digit(t[p]))
			p++;
		if (g->count == 8)
			return false;
		g->len[g->count++] = (int)(p - start);
		g->digits += (int)(p - start);
		g->end = p;
		if (p + 1 < len && t[p] && strchr(seps, t[p]) && is_digit(t[p + 1]) &&
		    (!g->sep || g->sep == t[p])) {
			g->sep = t[p];
			p++;
		} else {
			break;
		}
	}
	return g->count > 0;
}

/* The end of a match must not run on into a word or a longer number. */
static bool ends_cleanly(const char *t, size_t len, size_t end)
{
	if (end >= len)
		return true;
	if (is_alnum(t[end]))
		return false;
	return !((t[end] == '.' || t[end] == ',') && end + 1 < len &&
		 is_digit(t[end + 1]));
}

/*
 * The start of a number must not be inside a word or another number: not
 * after a letter, digit, '.', '-' or '+', nor after "digit, space".
 */
static bool starts_cleanly(const char *t, size_t i)
{
	if (i == 0)
		return true;
	if (is_alnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == '-' || t[i - 1] == '+')
		return false;
	return !(i >= 2 && t[i - 1] == ' ' && is_digit(t[i - 2]));
}

static bool luhn_valid(const char *t, size_t start, size_t end)
{
	int sum = 0, n = 0;

	for (size_t p = end; p > start; p--) {
		int d;

		if (!is_digit(t[p - 1]))
			continue;
		d = t[p - 1] - '0';
		if (n++ % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

static size_t match_card(const char *t, size_t len, size_t i)
{
	struct digit_groups g;

	if (!is_digit(t[i]) || !starts_cleanly(t, i) ||
	    !scan_groups(t, len, i, " -", &g))
		return 0;
	if (g.digits < 13 || g.digits > 19 || !ends_cleanly(t, len, g.end))
		return 0;
	return luhn_valid(t, i, g.end) ? g.end - i : 0;
}

static bool looks_like_date(const struct digit_groups *g)
{
	return g->count == 3 && g->digits == 8 &&
	       ((g->len[0] == 4 && g->len[1] == 2 && g->len[2] == 2) ||
		(g->len[0] == 2 && g->len[1] == 2 && g->len[2] == 4));
}

/*
 * Dotted phone numbers come in short groups (06.12.34.56.78); a dotted quad
 * (192.168.1.20), a decimal (3.14159) or a version (1.2.3) does not qualify.
 */
static bool dotted_but_not_phone(const struct digit_groups *g)
{
	if (g->sep != '.')
		return false;
	if (g->count < 3 || (g->count == 4 && g->len[0] <= 3 && g->len[1] <= 3 &&
			     g->len[2] <= 3 && g->len[3] <= 3))
		return true;
	for (int k = 0; k < g->count; k++)
		if (g->len[k] > 4)
			return true;
	return false;
}

static size_t match_phone(const char *t, size_t len, size_t i)
{
	struct digit_groups g;
	size_t p = i, area = 0;
	bool plus = false;
	int digits;

	if (!starts_cleanly(t, i))
		return 0;
	if (t[p] == '+') {
		plus = true;
		p++;
	}
	/* "(555) 123-4567", "+1 (555) 123-4567" */
	if (p < len && t[p] == ' ' && plus)
		return 0;
	if (p < len && t[p] == '(') {
		size_t q = p + 1;

		while (q < len && is_digit(t[q]))
			q++;
		if (q - p - 1 < 1 || q - p - 1 > 5 || q + 1 >= len || t[q] != ')')
			return 0;
		area = q - p - 1;
		p = q + 1;
		if (t[p] == ' ' || t[p] == '-')
			p++;
	} else if (plus && p + 2 < len && t[p] != '(') {
		size_t q = p;

		/* "+1 (555) ...": a country code before the area code */
		while (q < len && is_digit(t[q]))
			q++;
		if (q > p && q + 2 < len && t[q] == ' ' && t[q + 1] == '(') {
			size_t r = q + 2, a = 0;

			while (r < len && is_digit(t[r])) {
				r++;
				a++;
			}
			if (a >= 1 && a <= 5 && r + 1 < len && t[r] == ')') {
				area = (q - p) + a;
				p = r + 1;
				if (t[p] == ' ' || t[p] == '-')
					p++;
			}
		}
	}
	if (p >= len || !is_digit(t[p]) || !scan_groups(t, len, p, " -.", &g))
		return 0;
	digits = g.digits + (int)area;
	if (digits > 15 || digits < (plus ? 8 : 9) || !ends_cleanly(t, len, g.end))
		return 0;
	if (!plus && !area && (looks_like_date(&g) || dotted_but_not_phone(&g)))
		return 0;
	/* a bare run of digits is an id or an amount, not a phone number */
	if (!plus && !area && g.count == 1)
		return 0;
	return g.end - i;
}

/* ---- IBAN -------------------------------------------------------------- */

/* ISO 13616 lengths of the countries we check; others are not matched. */
static const struct { char cc[3]; int len; } iban_lengths[] = {
	{"AD", 24}, {"AT", 20}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21},
	{"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"EE", 20}, {"ES", 24},
	{"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GI", 23}, {"GL", 18},
	{"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26}, {"IT", 27},
	{"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MT", 31},
	{"NL", 18}, {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24}, {"RS", 22},
	{"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"TR", 26}, {"UA", 29},
};

static int iban_length(const char *cc)
{
	for (size_t k = 0; k < sizeof(iban_lengths) / sizeof(iban_lengths[0]); k++)
		if (cc[0] == iban_lengths[k].cc[0] && cc[1] == iban_lengths[k].cc[1])
			return iban_lengths[k].len;
	return 0;
}

/* mod 97 of the IBAN with its first four characters moved to the end. */
static bool iban_checksum_valid(const char *chars, int n)
{
	unsigned int rem = 0;

	for (int k = 0; k < n; k++) {
		char c = chars[(k + 4) % n];

		if (is_digit(c))
			rem = (rem * 10 + (unsigned int)(c - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned int)(c - 'A' + 10)) % 97;
	}
	return rem == 1;
}

static size_t match_iban(const char *t, size_t len, size_t i)
{
	char chars[34];
	int want, n = 0;
	size_t p = i;

	if ((i > 0 && is_alnum(t[i - 1])) || i + 4 > len || !is_upper(t[i]) ||
	    !is_upper(t[i + 1]) || !is_digit(t[i + 2]) || !is_digit(t[i + 3]))
		return 0;
	want = iban_length(t + i);
	if (!want)
		return 0;
	/* Printed in groups of four split by single spaces, or in one piece. */
	while (n < want && p < len) {
		if (t[p] == ' ' && n % 4 == 0 && n > 0 && p + 1 < len &&
		    (is_upper(t[p + 1]) || is_digit(t[p + 1])))
			p++;
		if (!(is_upper(t[p]) || is_digit(t[p])))
			return 0;
		chars[n++] = t[p++];
	}
	if (n != want || (p < len && is_alnum(t[p])))
		return 0;
	return iban_checksum_valid(chars, n) ? p - i : 0;
}

/* ---- scanning ---------------------------------------------------------- */

size_t ea_pii_scan(const char *text, size_t len, struct ea_pii_span *spans,
		   size_t max)
{
	static const struct {
		enum ea_pii_kind kind;
		size_t (*match)(const char *t, size_t len, size_t i);
	} matchers[] = {
		{ EA_PII_EMAIL, match_email },
		{ EA_PII_IBAN, match_iban },
		{ EA_PII_CARD, match_card },
		{ EA_PII_PHONE, match_phone },
	};
	size_t found = 0, i = 0;

	while (i < len) {
		size_t n = 0;
		enum ea_pii_kind kind = EA_PII_EMAIL;

		for (size_t m = 0; m < sizeof(matchers) / sizeof(matchers[0]) && !n; m++) {
			n = matchers[m].match(text, len, i);
			kind = matchers[m].kind;
		}
		if (!n) {
			i++;
			continue;
		}
		if (found < max)
			spans[found] = (struct ea_pii_span){ kind, i, n };
		found++;
		i += n;
	}
	return found;
}

/* ---- redaction --------------------------------------------------------- */

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Append @n bytes to the growing buffer *@buf of length *@used. */
static bool append(char **buf, size_t *used, size_t *cap, const char *s, size_t n)
{
	if (*used + n + 1 > *cap) {
		size_t want = (*used + n + 1) * 2;
		char *b = realloc(*buf, want);

		if (!b)
			return false;
		*buf = b;
		*cap = want;
	}
	memcpy(*buf + *used, s, n);
	*used += n;
	(*buf)[*used] = '\0';
	return true;
}

/* The placeholder already given to this value, or a new one; -1 on ENOMEM. */
static long placeholder_for(struct ea_pii_redaction *r, const struct ea_pii_span *s,
			    const char *text, int *per_kind)
{
	char name[32], **ph, **orig;

	for (size_t k = 0; k < r->count; k++)
		if (strlen(r->originals[k]) == s->len &&
		    !memcmp(r->originals[k], text + s->start, s->len))
			return (long)k;
	ph = realloc(r->placeholders, (r->count + 1) * sizeof(*ph));
	if (!ph)
		return -1;
	r->placeholders = ph;
	orig = realloc(r->originals, (r->count + 1) * sizeof(*orig));
	if (!orig)
		return -1;
	r->originals = orig;
	snprintf(name, sizeof(name), "[%s_%d]", ea_pii_kind_name(s->kind),
		 ++per_kind[s->kind]);
	ph[r->count] = dup_range(name, strlen(name));
	orig[r->count] = dup_range(text + s->start, s->len);
	if (!ph[r->count] || !orig[r->count]) {
		free(ph[r->count]);
		free(orig[r->count]);
		return -1;
	}
	return (long)r->count++;
}

ea_status ea_pii_redact(const char *text, struct ea_pii_redaction *out)
{
	size_t len = strlen(text), n, used = 0, cap = 0, at = 0;
	struct ea_pii_span *spans;
	int per_kind[EA_PII_IBAN + 1] = { 0 };

	memset(out, 0, sizeof(*out));
	n = ea_pii_scan(text, len, NULL, 0);
	spans = calloc(n ? n : 1, sizeof(*spans));
	if (!spans)
		return EA_ERR_NO_MEMORY;
	ea_pii_scan(text, len, spans, n);
	if (!append(&out->text, &used, &cap, "", 0))
		goto oom;
	for (size_t k = 0; k < n; k++) {
		long ph = placeholder_for(out, &spans[k], text, per_kind);

		if (ph < 0 ||
		    !append(&out->text, &used, &cap, text + at, spans[k].start - at) ||
		    !append(&out->text, &used, &cap, out->placeholders[ph],
			    strlen(out->placeholders[ph])))
			goto oom;
		at = spans[k].start + spans[k].len;
	}
	if (!append(&out->text, &used, &cap, text + at, len - at))
		goto oom;
	free(spans);
	return EA_OK;
oom:
	free(spans);
	ea_pii_redaction_free(out);
	return EA_ERR_NO_MEMORY;
}

char *ea_pii_restore(const struct ea_pii_redaction *r, const char *answer)
{
	size_t used = 0, cap = 0;
	char *out = NULL;
	const char *p = answer;

	if (!append(&out, &used, &cap, "", 0))
		return NULL;
	while (*p) {
		size_t k, step = 1;
		const char *from = p;

		if (*p == '[') {
			for (k = 0; k < r->count; k++) {
				size_t plen = strlen(r->placeholders[k]);

				if (!strncmp(p, r->placeholders[k], plen)) {
					from = r->originals[k];
					step = plen;
					break;
				}
			}
		}
		if (!append(&out, &used, &cap, from,
			    from == p ? 1 : strlen(from))) {
			free(out);
			return NULL;
		}
		p += step;
	}
	return out;
}

void ea_pii_redaction_free(struct ea_pii_redaction *r)
{
	for (size_t k = 0; k < r->count; k++) {
		free(r->placeholders[k]);
		free(r->originals[k]);
	}
	free(r->placeholders);
	free(r->originals);
	free(r->text);
	memset(r, 0, sizeof(*r));
}
