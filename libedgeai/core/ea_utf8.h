/* SPDX-License-Identifier: MIT */
/* ea_utf8 - where streamed text may be cut: between whole UTF-8 characters. */
#ifndef EA_UTF8_H
#define EA_UTF8_H

#include <stddef.h>

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

#endif /* EA_UTF8_H */
