/* SPDX-License-Identifier: MIT */
/*
 * ea_route_spec - speculative decoding between a local session and a cloud
 * model over the OpenAI completions API (see ea_route_spec.c), for the
 * router's EA_COLLAB_SPECULATIVE requests.
 */
#ifndef EA_ROUTE_SPEC_H
#define EA_ROUTE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "ea_cloud.h"
#include "ea_error.h"
#include "edgeai.h"

/* Each piece of the text, in order; false cancels. */
typedef bool (*ea_spec_text_fn)(const char *text, size_t len, void *user);

struct ea_spec_result {
	enum ea_finish_reason finish_reason;
	int n_generated_tokens;
	int verify_calls;		/* /completions calls that verified drafts */
	int drafted, accepted;		/* draft tokens sent, and kept */
	int draft_k;			/* the caller's k; 0: adaptive */
	int last_cached;		/* the cloud's cached_tokens in the last call; -1 */
	long sent_tokens;		/* prompt tokens of every verify call */
	long cached_tokens;		/* of them, the cloud's cached_tokens (0 when not given) */
	int ahead_kept;			/* blocks drafted during a verify and sent next */
	bool fell_back;			/* the cloud failed: the local model finished */
	char fallback_reason[256];
	const int32_t *tokens;		/* the kept tokens, n_tokens of them */
	int n_tokens;
	int32_t *owned;
};

/*
 * Greedy speculative decoding of @p (temperature 0; the prompt as text) on
 * @s with @cloud verifying, drafts of @k tokens (0: adaptive). The text
 * goes to @emit as it is kept. EA_ERR_UNSUPPORTED, with nothing emitted,
 * when the request or the cloud does not allow it (temperature > 0; the
 * cloud answers without token ids, echo or logprobs); EA_ERR_CLOUD likewise
 * when the cloud fails before the first verify. A cloud that fails later
 * leaves what was kept, and the local model completes it (fell_back).
 * Free @out with ea_spec_result_free().
 */
ea_status ea_route_speculative(const struct ea_cloud_endpoint *cloud, struct ea_session *s,
			       const struct ea_generate_params *p, int k,
			       ea_spec_text_fn emit, void *user, struct ea_spec_result *out,
			       struct ea_error *err);

void ea_spec_result_free(struct ea_spec_result *r);

#endif /* EA_ROUTE_SPEC_H */
