/* SPDX-License-Identifier: MIT */
/*
 * serve_json_check - what a request body must be beyond JSON's syntax (which
 * json-c checks): every string strict UTF-8 (no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF), no NUL (raw or \u0000), no unpaired
 * surrogate escape, and no key twice in one object (after unescaping:
 * "a" and "\u0061" are the same key). A name compared with strcmp() is then
 * the whole name, and no field can be given twice with the first one winning.
 */
#ifndef SERVE_JSON_CHECK_H
#define SERVE_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Whether @len bytes of @body (syntactically valid JSON) hold to the rules
 * above; when not, why (with the byte offset) in @why. False also when out of
 * memory, saying so. */
bool serve_json_check(const char *body, size_t len, char *why, size_t whysz);

#endif /* SERVE_JSON_CHECK_H */
