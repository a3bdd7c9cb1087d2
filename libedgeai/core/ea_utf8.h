/* SPDX-License-Identifier: MIT */
/* ea_utf8 - UTF-8: where streamed text may be cut, what is strictly valid. */
#ifndef EA_UTF8_H
#define EA_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest prefix of @len bytes of @text that does not end inside a UTF-8
 * character: an incomplete lead sequence at the end is held back. Invalid
 * bytes (a continuation byte without its lead) are not held. */
static inline size_t ea_utf8_whole(const char *text, size_t len)
{
	for (size_t back = 1; back <= 4 && back <= len; back++) {
		unsigned char c = (unsigned char)text[len - back];
		size_t need;

		if ((c & 0xc0) == 0x80)
			continue;
		need = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		       (c & 0xf8) == 0xf0 ? 4 : 1;
		return back < need ? len - back : len;
	}
	return len;
}

/*
 * The length of the valid UTF-8 character at @s (at most @n bytes), 0 when
 * there is none: strict, as RFC 3629 says: no overlong forms (C0 80), no
 * surrogates (ED A0 80, CESU-8), nothing above U+10FFFF.
 */
static inline size_t ea_utf8_char_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min, cp;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Write code point @cp (at most U+10FFFF) as UTF-8 at @out (room for 4
 * bytes); returns the bytes written. */
static inline size_t ea_utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Whether @len bytes of @s are strict UTF-8 (ea_utf8_char_len()) with no NUL. */
static inline bool ea_utf8_valid_text(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n) {
		n = ea_utf8_char_len((const unsigned char *)s + i, len - i);
		if (!n || !s[i])
			return false;
	}
	return true;
}

#endif /* EA_UTF8_H */
