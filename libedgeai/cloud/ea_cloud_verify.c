// SPDX-License-Identifier: MIT
/* ea_cloud_verify - the cloud model's greedy choices over token ids, and its tokenizer (ea_cloud.h). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_cloud.h"

static json_object *at(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* "token_id:N" -> N, or -1. */
static int32_t token_id(const char *s)
{
	char *end;
	long v;

	if (!s || strncmp(s, "token_id:", 9) != 0)
		return -1;
	v = strtol(s + 9, &end, 10);
	return *end || end == s + 9 || v < 0 || v > INT32_MAX ? -1 : (int32_t)v;
}

/* The most likely key of a top_logprobs object, as a token id; ties: the lower id. */
static int32_t best_of(json_object *top)
{
	int32_t best = -1;
	double best_lp = 0;

	if (!top || !json_object_is_type(top, json_type_object))
		return -1;
	json_object_object_foreach(top, key, v) {
		int32_t id = token_id(key);
		double lp = json_object_get_double(v);

		if (id < 0 || (!json_object_is_type(v, json_type_double) &&
				!json_object_is_type(v, json_type_int)))
			return -1;
		if (best < 0 || lp > best_lp || (lp == best_lp && id < best)) {
			best = id;
			best_lp = lp;
		}
	}
	return best;
}

static char *verify_body(const struct ea_cloud_endpoint *ep, const int32_t *ids, int n)
{
	json_object *o = json_object_new_object(), *prompt = json_object_new_array();
	char *s;

	for (int i = 0; i < n; i++)
		json_object_array_add(prompt, json_object_new_int(ids[i]));
	json_object_object_add(o, "model", json_object_new_string(ep->model ? ep->model :
								   "default"));
	json_object_object_add(o, "prompt", prompt);
	json_object_object_add(o, "echo", json_object_new_boolean(true));
	json_object_object_add(o, "logprobs", json_object_new_int(1));
	json_object_object_add(o, "max_tokens", json_object_new_int(1));
	json_object_object_add(o, "temperature", json_object_new_double(0));
	json_object_object_add(o, "return_tokens_as_token_ids", json_object_new_boolean(true));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

ea_status ea_cloud_verify(const struct ea_cloud_endpoint *ep, const int32_t *ids, int n, int from,
			  int32_t *choice, int32_t *next, int *cached, struct ea_error *err)
{
	char *body, *reply = NULL;
	json_object *root = NULL, *lp, *tokens, *tops, *c;
	long http = 0;
	ea_status st;

	if (n < 1 || from < 1 || from > n)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "verify positions %d .. %d of %d "
				    "tokens", from, n - 1, n);
	body = verify_body(ep, ids, n);
	if (!body)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for the request");
	st = ea_cloud_call(ep, "completions", body, &reply, &http, err);
	free(body);
	if (st != EA_OK)
		return st;
	root = json_tokener_parse(reply);
	free(reply);
	c = at(root, "choices");
	lp = c && json_object_is_type(c, json_type_array) && json_object_array_length(c) ?
	     at(json_object_array_get_idx(c, 0), "logprobs") : NULL;
	tokens = at(lp, "tokens");
	tops = at(lp, "top_logprobs");
	st = EA_OK;
	if (!tokens || !tops || !json_object_is_type(tokens, json_type_array) ||
	    !json_object_is_type(tops, json_type_array) ||
	    json_object_array_length(tokens) != (size_t)n + 1 ||
	    json_object_array_length(tops) != (size_t)n + 1)
		st = ea_error_set(err, EA_ERR_UNSUPPORTED, "the cloud's answer has no echoed "
				  "logprobs of %d + 1 tokens (prompt as token ids, echo, logprobs)",
				  n);
	for (int i = 0; st == EA_OK && i < n; i++)
		if (token_id(json_object_get_string(json_object_array_get_idx(tokens, i))) != ids[i])
			st = ea_error_set(err, EA_ERR_UNSUPPORTED, "the cloud echoed token %d as "
					  "'%.40s', not token_id:%d (return_tokens_as_token_ids)", i,
					  json_object_get_string(json_object_array_get_idx(tokens, i)),
					  (int)ids[i]);
	for (int i = from; st == EA_OK && i < n; i++)
		if ((choice[i - from] = best_of(json_object_array_get_idx(tops, i))) < 0)
			st = ea_error_set(err, EA_ERR_UNSUPPORTED, "the cloud's alternatives at %d "
					  "are not token ids", i);
	if (st == EA_OK) {
		*next = token_id(json_object_get_string(json_object_array_get_idx(tokens, n)));
		if (*next < 0)
			st = ea_error_set(err, EA_ERR_UNSUPPORTED, "the cloud's generated token is "
					  "not a token id");
	}
	if (st == EA_OK && cached) {
		json_object *v = at(at(at(root, "usage"), "prompt_tokens_details"), "cached_tokens");

		*cached = v ? json_object_get_int(v) : -1;
	}
	json_object_put(root);
	return st;
}

ea_status ea_cloud_tokenizer(const struct ea_cloud_endpoint *ep, char sha256_hex[65],
			     struct ea_error *err)
{
	char *reply = NULL;
	json_object *root, *data, *hash = NULL;
	long http = 0;
	ea_status st = ea_cloud_call(ep, "models", NULL, &reply, &http, err);

	if (st != EA_OK)
		return st;
	root = json_tokener_parse(reply);
	free(reply);
	data = at(root, "data");
	if (data && json_object_is_type(data, json_type_array))
		for (size_t i = 0; i < json_object_array_length(data) && !hash; i++) {
			json_object *m = json_object_array_get_idx(data, i), *id = at(m, "id");

			if (!ep->model || (id && !strcmp(json_object_get_string(id), ep->model)))
				hash = at(at(m, "edgeai"), "tokenizer_sha256");
		}
	if (hash && json_object_is_type(hash, json_type_string) &&
	    json_object_get_string_len(hash) == 64)
		snprintf(sha256_hex, 65, "%s", json_object_get_string(hash));
	else
		st = ea_error_set(err, EA_ERR_UNSUPPORTED, "the cloud does not say which tokenizer "
				  "its model uses (GET /models: edgeai.tokenizer_sha256)");
	json_object_put(root);
	return st;
}
