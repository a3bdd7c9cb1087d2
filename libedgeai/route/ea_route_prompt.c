// SPDX-License-Identifier: MIT
/* ea_route_prompt - a prompt scored by the local model; compressed by it (see the header). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ea_model.h"
#include "ea_pii.h"
#include "ea_route_prompt.h"
#include "ea_session.h"
#include "ea_tokenizer.h"

#define MAX_PII_SPANS 64

ea_status ea_route_score_prompt(struct ea_session *s, const struct ea_generate_params *p,
				struct ea_generate_result *r, struct ea_error *err)
{
	struct ea_generate_params q = { .prompt = p->prompt, .prompt_len = p->prompt_len,
					.flags = p->flags, .logprobs = true, .echo = true,
					.prompt_only = true };
	ea_status st = ea_generate(s, &q, NULL, NULL, r);

	if (st != EA_OK)
		return ea_error_set(err, st, "scoring the prompt: %s", ea_session_error(s));
	return EA_OK;
}

uint32_t ea_route_surprisal(const struct ea_generate_result *r)
{
	double sum = 0.0;

	for (int i = 1; i < r->n_echoed; i++)
		sum -= r->logprobs[i].logprob;
	return r->n_echoed > 1 ? (uint32_t)lround(1000.0 * sum / (r->n_echoed - 1)) : 0;
}

uint32_t ea_route_confidence(uint32_t surprisal, bool prompt_scored, double logprob_sum, int n)
{
	double answer = n > 0 && logprob_sum < 0 ? -logprob_sum / n : 0.0;
	double prompt = prompt_scored ? surprisal / 1000.0 : answer;

	return (uint32_t)lround(1000.0 * exp(-sqrt(prompt * answer)));
}

/* Token @i's text and its byte offset in the concatenation of all of them. */
struct piece {
	const char *bytes;
	size_t len, at;
	bool keep;
};

static void spell(const struct ea_model *m, int32_t token, struct piece *pc)
{
	pc->bytes = "";
	pc->len = 0;
	if (!ea_tokenizer_is_control(m->tokenizer, token) &&
	    ea_tokenizer_decode(m->tokenizer, token, &pc->bytes, &pc->len) != EA_OK)
		pc->len = 0;
}

/*
 * A line's label: its tokens up to the first one holding a colon, when one of
 * its first EA_LABEL_TOKENS does ("Description:", "Question:"). A label says
 * what the line is; its tokens are predictable, so surprisal alone would drop
 * them first, and the cloud then no longer knows the text's form.
 */
#define EA_LABEL_TOKENS 6

static void keep_label(struct piece *pc, int n, int start)
{
	for (int i = start; i < n && i < start + EA_LABEL_TOKENS; i++) {
		if (memchr(pc[i].bytes, '\n', pc[i].len))
			return;
		if (memchr(pc[i].bytes, ':', pc[i].len)) {
			for (int k = start; k <= i; k++)
				pc[k].keep = true;
			return;
		}
	}
}

/* Mark what must stay: the first token, the first line, every line's label
 * and break, personal data. */
static void mark_kept(struct piece *pc, int n, const char *all, size_t all_len)
{
	struct ea_pii_span spans[MAX_PII_SPANS];
	size_t n_spans = ea_pii_scan(all, all_len, spans, MAX_PII_SPANS);
	bool first_line = true;

	for (int i = 0; i < n; i++)
		pc[i].keep = i == 0;
	for (int i = 0; i < n; i++) {
		bool line_break = memchr(pc[i].bytes, '\n', pc[i].len) != NULL;

		if (i == 0 || line_break)
			keep_label(pc, n, line_break ? i + 1 : 0);
		if (line_break) {
			pc[i].keep = true;
			first_line = false;
		}
		pc[i].keep |= first_line;
		for (size_t k = 0; k < n_spans && k < MAX_PII_SPANS; k++)
			if (pc[i].at < spans[k].start + spans[k].len &&
			    spans[k].start < pc[i].at + pc[i].len)
				pc[i].keep = true;
	}
}

/* Order of dropping: least surprising first (ties: the later token first). */
static int by_surprisal(const void *a, const void *b, void *records)
{
	const struct ea_token_logprob *lp = records;
	int i = *(const int *)a, j = *(const int *)b;
	float si = -lp[i].logprob, sj = -lp[j].logprob;

	return si < sj ? -1 : si > sj ? 1 : j - i;
}

/* A random order of @order (a baseline: xorshift64 from @seed). */
static void shuffle(int *order, int n, uint64_t seed)
{
	for (int i = n - 1; i > 0; i--) {
		int j, t;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		j = (int)(seed % (uint64_t)(i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

ea_status ea_route_compress(const struct ea_model *m, const struct ea_generate_result *r,
			    uint32_t drop, uint64_t random_seed, char **text, size_t *len,
			    int *kept, struct ea_error *err)
{
	int n = r->n_echoed, n_drop = (int)((int64_t)n * (drop > 900 ? 900 : drop) / 1000);
	struct piece *pc = calloc((size_t)n, sizeof(*pc));
	int *order = calloc((size_t)n, sizeof(*order));
	char *all = NULL;
	size_t total = 0;
	int n_order = 0;

	*text = NULL;
	if (!pc || !order)
		goto no_memory;
	for (int i = 0; i < n; i++) {
		spell(m, r->logprobs[i].token, &pc[i]);
		pc[i].at = total;
		total += pc[i].len;
	}
	all = malloc(total + 1);
	*text = malloc(total + 1);
	if (!all || !*text)
		goto no_memory;
	for (int i = 0; i < n; i++)
		memcpy(all + pc[i].at, pc[i].bytes, pc[i].len);
	mark_kept(pc, n, all, total);
	for (int i = 0; i < n; i++)
		if (!pc[i].keep)
			order[n_order++] = i;
	if (random_seed)
		shuffle(order, n_order, random_seed);
	else
		qsort_r(order, (size_t)n_order, sizeof(*order), by_surprisal,
			(void *)r->logprobs);
	for (int k = 0; k < n; k++)
		pc[k].keep = true;
	for (int k = 0; k < n_drop && k < n_order; k++)
		pc[order[k]].keep = false;
	*len = 0;
	*kept = 0;
	for (int i = 0; i < n; i++)
		if (pc[i].keep) {
			memcpy(*text + *len, pc[i].bytes, pc[i].len);
			*len += pc[i].len;
			(*kept)++;
		}
	(*text)[*len] = '\0';
	free(all);
	free(pc);
	free(order);
	return EA_OK;
no_memory:
	free(*text);
	*text = NULL;
	free(all);
	free(pc);
	free(order);
	return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory compressing the prompt");
}
