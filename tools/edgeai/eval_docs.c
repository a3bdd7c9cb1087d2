// SPDX-License-Identifier: MIT
/* eval_docs - the documents of a text as requests (see the header). */
#include <string.h>

#include "eval_docs.h"

bool eval_next_document(FILE *f, char *prompt, size_t psz, char *body, size_t bsz)
{
	char line[EVAL_DOC_LINE];
	int lines = 0;
	size_t plen = 0, blen = 0;

	prompt[0] = body[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (!strcmp(line, "\n")) {
			if (lines >= 3)
				return true;
			lines = 0, plen = blen = 0;
			prompt[0] = body[0] = '\0';
			continue;
		}
		if (lines == 0 && strncmp(line, "Package: ", 9))
			continue;	/* a document's tail at the start of the text */
		if (lines < 2 && plen + n < psz) {
			memcpy(prompt + plen, line, n + 1);
			plen += n;
		} else if (lines >= 2 && blen + n < bsz) {
			memcpy(body + blen, line, n + 1);
			blen += n;
		}
		lines++;
	}
	return lines >= 3;
}
