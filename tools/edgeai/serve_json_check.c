// SPDX-License-Identifier: MIT
/* serve_json_check - the strict rules of a request body (see the header). */
#include "serve_json_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_utf8.h"

#define MAX_DEPTH 64	/* json-c refuses deeper bodies already (32) */

struct scan {
	const unsigned char *s;
	size_t len, at;
	char *why;
	size_t whysz;
	bool failed;
};

/* An object's key, unescaped. */
struct key {
	char *bytes;
	size_t len;
};

static bool fail(struct scan *sc, size_t at, const char *what)
{
	if (!sc->failed)
		snprintf(sc->why, sc->whysz, "%s at byte %zu", what, at);
	sc->failed = true;
	return false;
}

static void skip_space(struct scan *sc)
{
	while (sc->at < sc->len && strchr(" \t\r\n", sc->s[sc->at]) && sc->s[sc->at])
		sc->at++;
}

static int hex4(const unsigned char *p, size_t left)
{
	int v = 0;

	if (left < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
			c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}


/*
 * The string at sc->at (its opening quote), checked; unescaped into @k when
 * @k is given (a key). A string's unescaped form is never longer than its
 * escaped one, so one buffer of the escaped length holds it.
 */
static bool string(struct scan *sc, struct key *k)
{
	size_t start = ++sc->at, out = 0;

	if (k) {
		k->bytes = NULL;
		k->len = 0;
	}
	while (sc->at < sc->len && sc->s[sc->at] != '"') {
		size_t at = sc->at, n;
		uint32_t cp;

		if (sc->s[at] != '\\') {
			n = ea_utf8_char_len(sc->s + at, sc->len - at);
			if (!n)
				return fail(sc, at, "invalid UTF-8 (overlong, a surrogate or a bad "
					    "byte) in a string");
			if (!sc->s[at])
				return fail(sc, at, "a NUL byte in a string");
			sc->at += n;
			continue;
		}
		if (at + 1 >= sc->len)
			return fail(sc, at, "an unfinished escape");
		if (sc->s[at + 1] != 'u') {
			sc->at += 2;
			continue;
		}
		cp = (uint32_t)hex4(sc->s + at + 2, sc->len - at - 2);
		if (cp == (uint32_t)-1)
			return fail(sc, at, "a bad \\u escape");
		sc->at += 6;
		if (cp == 0)
			return fail(sc, at, "\\u0000 (NUL) in a string");
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return fail(sc, at, "an unpaired low surrogate escape");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			int low = sc->at + 1 < sc->len && sc->s[sc->at] == '\\' &&
				  sc->s[sc->at + 1] == 'u' ?
				  hex4(sc->s + sc->at + 2, sc->len - sc->at - 2) : -1;

			if (low < 0xdc00 || low > 0xdfff)
				return fail(sc, at, "an unpaired high surrogate escape");
			sc->at += 6;
		}
	}
	if (sc->at >= sc->len)
		return fail(sc, start - 1, "an unterminated string");
	if (k) {
		size_t end = sc->at;

		k->bytes = malloc(end - start + 1);
		if (!k->bytes)
			return fail(sc, start, "out of memory checking a key");
		for (size_t i = start; i < end;) {
			unsigned char c = sc->s[i];

			if (c != '\\') {
				k->bytes[out++] = (char)c;
				i++;
				continue;
			}
			c = sc->s[i + 1];
			if (c == 'u') {
				uint32_t cp = (uint32_t)hex4(sc->s + i + 2, end - i - 2);

				i += 6;
				if (cp >= 0xd800 && cp <= 0xdbff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     ((uint32_t)hex4(sc->s + i + 2, end - i - 2) - 0xdc00);
					i += 6;
				}
				out += ea_utf8_put(k->bytes + out, cp);
				continue;
			}
			k->bytes[out++] = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' :
					  c == 'r' ? '\r' : c == 't' ? '\t' : (char)c;
			i += 2;
		}
		k->len = out;
	}
	sc->at++;	/* the closing quote */
	return true;
}

static int key_order(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, x->len);
}

static bool value(struct scan *sc, int depth);

/* The object at sc->at; its keys sorted at the end, so a repeat is a neighbour. */
static bool object(struct scan *sc, int depth)
{
	struct key *keys = NULL;
	size_t n = 0, cap = 0, start = sc->at++;
	bool ok = true;

	skip_space(sc);
	while (ok && sc->at < sc->len && sc->s[sc->at] != '}') {
		if (n == cap) {
			struct key *grown = realloc(keys, (cap = cap ? 2 * cap : 16) * sizeof(*keys));

			if (!grown) {
				ok = fail(sc, sc->at, "out of memory checking an object");
				break;
			}
			keys = grown;
		}
		if (sc->s[sc->at] != '"' || !string(sc, &keys[n])) {
			ok = sc->failed ? false : fail(sc, sc->at, "a key that is not a string");
			break;
		}
		n++;
		skip_space(sc);
		if (sc->at >= sc->len || sc->s[sc->at] != ':') {
			ok = fail(sc, sc->at, "no ':' after a key");
			break;
		}
		sc->at++;
		ok = value(sc, depth + 1);
		skip_space(sc);
		if (ok && sc->at < sc->len && sc->s[sc->at] == ',') {
			sc->at++;
			skip_space(sc);
		}
	}
	if (ok && sc->at >= sc->len)
		ok = fail(sc, start, "an unterminated object");
	if (ok) {
		sc->at++;
		qsort(keys, n, sizeof(*keys), key_order);
		for (size_t i = 1; ok && i < n; i++)
			if (!key_order(&keys[i - 1], &keys[i])) {
				char what[96];

				snprintf(what, sizeof(what), "the key '%.40s' twice in the object",
					 ea_utf8_valid_text(keys[i].bytes, keys[i].len) ?
					 keys[i].bytes : "?");
				ok = fail(sc, start, what);
			}
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i].bytes);
	free(keys);
	return ok;
}

static bool value(struct scan *sc, int depth)
{
	skip_space(sc);
	if (depth > MAX_DEPTH)
		return fail(sc, sc->at, "nesting too deep");
	if (sc->at >= sc->len)
		return fail(sc, sc->at, "a missing value");
	switch (sc->s[sc->at]) {
	case '{':
		return object(sc, depth);
	case '[':
		sc->at++;
		skip_space(sc);
		while (sc->at < sc->len && sc->s[sc->at] != ']') {
			if (!value(sc, depth + 1))
				return false;
			skip_space(sc);
			if (sc->at < sc->len && sc->s[sc->at] == ',')
				sc->at++;
			else if (sc->at < sc->len && sc->s[sc->at] != ']')
				return fail(sc, sc->at, "no ',' between array elements");
		}
		if (sc->at >= sc->len)
			return fail(sc, sc->at, "an unterminated array");
		sc->at++;
		return true;
	case '"':
		return string(sc, NULL);
	default:	/* a number, true, false or null: json-c checked its form */
		if (!strchr("-0123456789tfn", sc->s[sc->at]) || !sc->s[sc->at])
			return fail(sc, sc->at, "an unexpected byte");
		while (sc->at < sc->len && sc->s[sc->at] &&
		       strchr("+-.0123456789Eeaeflnrstu", sc->s[sc->at]))
			sc->at++;
		return true;
	}
}

bool serve_json_check(const char *body, size_t len, char *why, size_t whysz)
{
	struct scan sc = { .s = (const unsigned char *)body, .len = len, .why = why,
			   .whysz = whysz };

	if (!value(&sc, 0))
		return false;
	skip_space(&sc);
	return sc.at == len || fail(&sc, sc.at, "data after the value");
}
