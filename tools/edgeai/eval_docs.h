/* SPDX-License-Identifier: MIT */
/*
 * eval_docs - the requests of edgeai eval-collab and eval-spec: a text of
 * documents "Package: NAME\nDescription: SUMMARY\nBODY" separated by blank
 * lines (heldout.txt of the trained pair), each one request whose prompt is
 * its first two lines and whose reference is its body. Documents alternate
 * between a calibration split (even: 0, 2, ...) and a test split (odd).
 */
#ifndef EDGEAI_EVAL_DOCS_H
#define EDGEAI_EVAL_DOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest line read; longer ones are cut. */
#define EVAL_DOC_LINE 4096

/*
 * The next document of @f with at least one body line: its first two lines
 * into @prompt, the rest into @body (each cut to its size, NUL-terminated).
 * A text that starts inside a document skips to the first "Package: " line.
 * False at the end of the text.
 */
bool eval_next_document(FILE *f, char *prompt, size_t psz, char *body, size_t bsz);

#endif /* EDGEAI_EVAL_DOCS_H */
