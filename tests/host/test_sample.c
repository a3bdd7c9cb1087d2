// SPDX-License-Identifier: MIT
/* Sampling (greedy, temperature, top-k, top-p, seed) and the stop rules. */
#include <math.h>
#include <string.h>

#include "ea_sample.h"
#include "ea_tap.h"

#define N_VOCAB 4
#define DRAWS 20000

/* Logits whose softmax is [0.5 0.3 0.15 0.05], in a shuffled order: token 2
 * is the likeliest, then 0, 3, 1. */
static const float probs[N_VOCAB] = { 0.3f, 0.05f, 0.5f, 0.15f };

static void logits_of(float *logits)
{
	for (int i = 0; i < N_VOCAB; i++)
		logits[i] = logf(probs[i]) + 7.0f;
}

/* Token frequencies of DRAWS draws with @params. */
static bool frequencies(const struct ea_sample_params *params, double *freq)
{
	struct ea_sampler s;
	struct ea_error err;
	float logits[N_VOCAB];

	if (ea_sampler_init(&s, params, N_VOCAB, &err) != EA_OK)
		return false;
	memset(freq, 0, N_VOCAB * sizeof(*freq));
	for (int i = 0; i < DRAWS; i++) {
		logits_of(logits);
		freq[ea_sampler_next(&s, logits)] += 1.0 / DRAWS;
	}
	ea_sampler_free(&s);
	return true;
}

/* Each frequency within 0.015 (about 5 standard deviations at 20000 draws). */
static bool matches(const double *freq, const double *want)
{
	for (int i = 0; i < N_VOCAB; i++) {
		if (fabs(freq[i] - want[i]) > 0.015) {
			tap_diag("token %d: frequency %.4f, want %.4f", i, freq[i], want[i]);
			return false;
		}
	}
	return true;
}

static bool check_greedy(float temperature, int top_k)
{
	struct ea_sample_params p = { .temperature = temperature, .top_k = top_k, .top_p = 1 };
	double freq[N_VOCAB];

	return frequencies(&p, freq) && freq[0] == 0 && freq[1] == 0 && freq[3] == 0;
}

static bool check_distribution(float temperature, int top_k, float top_p, const double *want)
{
	struct ea_sample_params p = { .temperature = temperature, .top_k = top_k, .top_p = top_p,
				      .seed = 1234 };
	double freq[N_VOCAB];

	return frequencies(&p, freq) && matches(freq, want);
}

/* The same seed gives the same 100 tokens; another seed, others. */
static bool check_seed(void)
{
	struct ea_sample_params p = { .temperature = 1, .top_p = 1, .seed = 42 };
	struct ea_sampler a, b, c;
	struct ea_error err;
	float logits[N_VOCAB];
	bool same = true, differ = false;

	ea_sampler_init(&a, &p, N_VOCAB, &err);
	ea_sampler_init(&b, &p, N_VOCAB, &err);
	p.seed = 43;
	ea_sampler_init(&c, &p, N_VOCAB, &err);
	for (int i = 0; i < 100; i++) {
		int ta, tb, tc;

		logits_of(logits);
		ta = ea_sampler_next(&a, logits);
		logits_of(logits);
		tb = ea_sampler_next(&b, logits);
		logits_of(logits);
		tc = ea_sampler_next(&c, logits);
		same = same && ta == tb;
		differ = differ || ta != tc;
	}
	ea_sampler_free(&a);
	ea_sampler_free(&b);
	ea_sampler_free(&c);
	return same && differ;
}

static bool rejected(float temperature, int top_k, float top_p, int n_vocab)
{
	struct ea_sample_params p = { .temperature = temperature, .top_k = top_k, .top_p = top_p };
	struct ea_sampler s;
	struct ea_error why = { { 0 } };
	bool ok = ea_sampler_init(&s, &p, n_vocab, &why) == EA_ERR_INVALID_ARGUMENT && why.msg[0];

	if (ok)
		tap_diag("rejected: %s", why.msg);
	return ok;
}

static bool check_stop_string(void)
{
	const char *stops[] = { "User:", "\n\n" };
	struct ea_stop_rules r = { .eos_token = -1, .stop = stops, .n_stop = 2 };
	const char *text = "Hi there\nUser: more";
	size_t show;

	return ea_stop_check(&r, 3, 7, text, strlen(text), &show) == EA_STOP_STRING &&
	       show == 9;
}

/* "User:" may be starting at the end of "Hi Us": only "Hi " can be shown yet. */
static bool check_stop_held_back(void)
{
	const char *stops[] = { "User:" };
	struct ea_stop_rules r = { .eos_token = -1, .stop = stops, .n_stop = 1 };
	size_t show;

	return ea_stop_check(&r, 2, 7, "Hi Us", 5, &show) == EA_STOP_NONE && show == 3 &&
	       ea_stop_check(&r, 2, 7, "Hi Ux", 5, &show) == EA_STOP_NONE && show == 5;
}

static bool check_stop_limits(void)
{
	struct ea_stop_rules r = { .max_tokens = 5, .eos_token = 0 };
	size_t show;

	return ea_stop_check(&r, 4, 9, "abcd", 4, &show) == EA_STOP_NONE &&
	       ea_stop_check(&r, 5, 9, "abcde", 5, &show) == EA_STOP_MAX_TOKENS && show == 5 &&
	       ea_stop_check(&r, 2, 0, "ab", 2, &show) == EA_STOP_EOS;
}

int main(void)
{
	struct tap t = { 0 };
	const double all[N_VOCAB] = { 0.3, 0.05, 0.5, 0.15 };
	const double top2[N_VOCAB] = { 0.3 / 0.8, 0, 0.5 / 0.8, 0 };
	const double top_p_07[N_VOCAB] = { 0.3 / 0.8, 0, 0.5 / 0.8, 0 };
	const double top_p_085[N_VOCAB] = { 0.3 / 0.95, 0, 0.5 / 0.95, 0.15 / 0.95 };
	double hot[N_VOCAB], sum = 0;

	/* Temperature 2 flattens: p^(1/2), renormalized. */
	for (int i = 0; i < N_VOCAB; i++)
		sum += sqrt(all[i]);
	for (int i = 0; i < N_VOCAB; i++)
		hot[i] = sqrt(all[i]) / sum;

	tap_plan(&t, 13);
	tap_ok(&t, check_greedy(0, 0), "temperature 0 is greedy");
	tap_ok(&t, check_greedy(1, 1), "top-k 1 is greedy");
	tap_ok(&t, check_distribution(1, 0, 1, all), "temperature 1 draws by the softmax");
	tap_ok(&t, check_distribution(2, 0, 1, hot), "temperature 2 draws by p^(1/2)");
	tap_ok(&t, check_distribution(1, 2, 1, top2), "top-k 2 keeps the two likeliest");
	tap_ok(&t, check_distribution(1, 0, 0.7f, top_p_07), "top-p 0.7 keeps 0.5 + 0.3");
	tap_ok(&t, check_distribution(1, 0, 0.85f, top_p_085), "top-p 0.85 keeps 0.5 + 0.3 + 0.15");
	tap_ok(&t, check_seed(), "a seed fixes the tokens; another seed changes them");
	tap_ok(&t, rejected(-1, 0, 1, N_VOCAB) && rejected(NAN, 0, 1, N_VOCAB) &&
	       rejected(1, -1, 1, N_VOCAB) && rejected(1, 0, 0, N_VOCAB) && rejected(1, 0, 1, 0),
	       "bad temperature, top-k, top-p and an empty vocabulary are rejected");
	tap_ok(&t, check_stop_string(), "a stop string stops, and is not shown");
	tap_ok(&t, check_stop_held_back(), "the start of a stop string is held back");
	tap_ok(&t, check_stop_limits(), "max tokens and the EOS token stop");
	tap_ok(&t, ea_stop_check(&(struct ea_stop_rules){ .eos_token = -1 }, 1000, 0, "x", 1,
				 &(size_t){ 0 }) == EA_STOP_NONE, "no limits: never stops");
	return tap_done(&t);
}
