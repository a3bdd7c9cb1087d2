/* SPDX-License-Identifier: MIT */
/*
 * ea_cloud.h - the client of a cloud model behind the OpenAI-compatible HTTP
 * API (vLLM, llama.cpp's server, hosted APIs, `edgeai serve`):
 * /v1/chat/completions and /v1/completions, streamed (SSE) or not.
 *
 * Endpoints come from a JSON config file:
 *   { "endpoints": [ { "name": "cloud", "base_url": "http://10.0.0.2:8080/v1",
 *       "model": "cloud", "api_key_env": "EDGEAI_CLOUD_KEY",
 *       "api_key_file": "/etc/edgeai/key", "timeout_ms": 30000,
 *       "connect_timeout_ms": 2000, "retries": 2, "backoff_ms": 200 } ] }
 * Only base_url is required. The API key is read from the named environment
 * variable or file, is sent as "Authorization: Bearer", and never appears in
 * a message or a log.
 *
 * Failures before any text arrived (refused, timed out, HTTP 5xx) are retried
 * with exponential backoff; an answer cut after text arrived is not retried:
 * the caller gets EA_ERR_CLOUD, result->cut set, and the partial text, so it
 * can complete the request locally.
 */
#ifndef EA_CLOUD_H
#define EA_CLOUD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_error.h"
#include "edgeai.h"

struct ea_cloud_endpoint {
	char *name;
	char *base_url;		/* up to and including /v1 */
	char *model;		/* NULL: "default" */
	char *api_key;		/* NULL: none sent */
	long timeout_ms;	/* whole request; default 60000 */
	long connect_timeout_ms; /* default 3000 */
	int retries;		/* extra attempts; default 2 */
	long backoff_ms;	/* first wait, doubled each retry; default 200 */
};

/* Read the endpoints of the config file @path. */
ea_status ea_cloud_config_load(const char *path, struct ea_cloud_endpoint **endpoints,
			       size_t *count, struct ea_error *err);
void ea_cloud_endpoints_free(struct ea_cloud_endpoint *endpoints, size_t count);

/* Called with each piece of text as it streams in; return false to stop. */
typedef bool (*ea_cloud_text_fn)(const char *text, size_t len, void *user);

#define EA_CLOUD_FIRST_BYTE_MS 10000	/* to an attempt's first byte of answer */
#define EA_CLOUD_IDLE_MS 10000		/* the longest pause within an answer */

struct ea_cloud_request {
	bool chat;		/* /chat/completions (one user message) or /completions */
	const char *system;	/* chat: optional system message */
	const char *prompt;
	bool stream;
	int max_tokens;		/* 0: the server's default */
	float temperature;	/* < 0: the server's default */
	float top_p;		/* <= 0: the server's default */
	ea_cloud_text_fn on_text;
	void *user;
	/* The whole call, retries included, ends within it (ms); 0: no overall
	 * bound. Either way an attempt fits the endpoint's timeout_ms, and a
	 * streamed one gets its first byte (headers included) within
	 * EA_CLOUD_FIRST_BYTE_MS and no pause longer than EA_CLOUD_IDLE_MS (or
	 * the deadline's rest, when shorter); a whole answer comes only when it
	 * is made, so it has no such bounds. */
	uint32_t deadline_ms;
};

struct ea_cloud_result {
	char *text;		/* the whole answer (also when cut); caller frees */
	size_t text_len;
	int prompt_tokens;	/* from "usage", -1 when the server sent none */
	int completion_tokens;
	char finish_reason[32];
	long http_status;
	int attempts;
	bool cut;		/* the stream ended before its end */
	bool limited;		/* the cloud sent more than max_tokens: cut at it */
	double ttft_ms;		/* request start to first text */
	double total_ms;
};

ea_status ea_cloud_complete(const struct ea_cloud_endpoint *ep,
			    const struct ea_cloud_request *req,
			    struct ea_cloud_result *res, struct ea_error *err);
void ea_cloud_result_free(struct ea_cloud_result *res);

/*
 * One JSON request to @path under the endpoint's base URL: POST @body, or
 * GET when @body is NULL; retried as completions are. *@reply: the body
 * (at most 16 MiB; free() it) of a 2xx answer. EA_ERR_CLOUD with why.
 */
ea_status ea_cloud_call(const struct ea_cloud_endpoint *ep, const char *path, const char *body,
			char **reply, long *http_status, struct ea_error *err);

/*
 * Speculative decoding's verify (ea_cloud_verify.c): the cloud model's own
 * greedy choice at each of positions @from .. @n - 1 of the token ids @ids
 * (choice[i - from]: its most likely token given ids[0 .. i - 1]) and the
 * token it generates after all @n (*@next), in one /completions call with
 * fields of OpenAI's and vLLM's APIs: the ids as the prompt, echo, logprobs
 * 1, max_tokens 1, temperature 0, return_tokens_as_token_ids. *@cached: the
 * server's usage.prompt_tokens_details.cached_tokens (-1: not given).
 * EA_ERR_UNSUPPORTED when the server's answer lacks those fields (it does
 * not take token ids, or echo, or logprobs as ids); EA_ERR_CLOUD when it
 * fails. 1 <= from <= n.
 */
ea_status ea_cloud_verify(const struct ea_cloud_endpoint *ep, const int32_t *ids, int n, int from,
			  int32_t *choice, int32_t *next, int *cached, struct ea_error *err);

/* The tokenizer the endpoint's model uses, as `edgeai serve` says it in GET
 * /models (edgeai.tokenizer_sha256, 64 hex digits); EA_ERR_UNSUPPORTED when
 * the server does not say (vLLM, llama.cpp's server). */
ea_status ea_cloud_tokenizer(const struct ea_cloud_endpoint *ep, char sha256_hex[65],
			     struct ea_error *err);

/* What the probe measured: round trip of GET /models (median of @rounds) and
 * generation throughput of one non-streamed completion. */
struct ea_cloud_probe {
	double rtt_ms;
	double tokens_per_s;
};

ea_status ea_cloud_probe(const struct ea_cloud_endpoint *ep, int rounds,
			 struct ea_cloud_probe *out, struct ea_error *err);
/* The same, all of it within @deadline_ms (0: no overall bound). */
ea_status ea_cloud_probe_within(const struct ea_cloud_endpoint *ep, int rounds,
				uint32_t deadline_ms, struct ea_cloud_probe *out,
				struct ea_error *err);

#endif /* EA_CLOUD_H */
