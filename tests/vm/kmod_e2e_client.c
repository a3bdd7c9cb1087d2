// SPDX-License-Identifier: MIT
/*
 * kmod_e2e_client - a client process of the kmod end-to-end tests and
 * benchmark (tests/vm/kmod-e2e, tests/bench/e2e.sh): opens the device in the
 * given mode, a session of the model, and decodes greedily from a prompt,
 * printing the token ids, the decode rate and, in kmod mode, the module's
 * figures for this client (fdinfo). With --loop it decodes until an error,
 * with a "progress" line per token, and exits 3 on the error; with --hold-ms
 * it keeps the session open that long after a "holding" line. With --again
 * FILE it then prints "waiting", waits for FILE to exist and makes a second
 * request in the same session: the first's prompt and tokens and the next
 * token, through ea_session_prefill() (which reuses the KV cache's prefix),
 * then as many tokens again ("reused" and "tokens2" lines).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ea_device.h"
#include "ea_model.h"
#include "ea_session.h"
#include "edgeai.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int argmax(const float *x, int n)
{
	int best = 0;

	for (int i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

/* This process's fdinfo of @fd, the lines the tests read, prefixed "fdinfo ". */
static void print_fdinfo(int fd)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "drm-", 4) || !strncmp(line, "edgeai-", 7))
			printf("fdinfo %s", line);
	fclose(f);
}

/* The number of the fdinfo line @key of @fd (its first field), 0 when absent. */
static unsigned long long fdinfo_value(int fd, const char *key)
{
	unsigned long long value = 0;
	char path[64], line[256];
	size_t len = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			value = strtoull(line + len + 1, NULL, 10);
	fclose(f);
	return value;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'M' }, { "model", required_argument, NULL, 'm' },
		{ "tokens", required_argument, NULL, 'n' }, { "prompt", required_argument, NULL, 'p' },
		{ "loop", no_argument, NULL, 'l' }, { "hold-ms", required_argument, NULL, 'h' },
		{ "again", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct ea_open_options oo = { .mode = EA_MODE_DIRECT };
	const char *model_path = NULL, *prompt = "the quick brown fox", *again = NULL;
	int n_tokens = 8, loop = 0, hold_ms = 0, c, pos, n_vocab;
	size_t n_prompt;
	struct ea_session_options so = { .engine = EA_ENGINE_VULKAN };
	struct ea_session *s = NULL;
	struct ea_device *dev = NULL;
	struct ea_model *model = NULL;
	int32_t tokens[512];
	char err[512];
	float *logits;
	unsigned long long busy0 = 0, jobs0 = 0;
	double t0;
	int reused;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'M')
			oo.mode = strcmp(optarg, "kmod") == 0 ? EA_MODE_KMOD : EA_MODE_DIRECT;
		else if (c == 'm')
			model_path = optarg;
		else if (c == 'n')
			n_tokens = atoi(optarg);
		else if (c == 'p')
			prompt = optarg;
		else if (c == 'l')
			loop = 1;
		else if (c == 'h')
			hold_ms = atoi(optarg);
		else if (c == 'a')
			again = optarg;
		else
			return 2;
	}
	if (!model_path) {
		fprintf(stderr, "usage: kmod_e2e_client --model M [--mode direct|kmod] [--tokens N] "
			"[--prompt TEXT] [--loop] [--hold-ms MS] [--again FILE]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ea_open(&oo, &dev, err, sizeof(err)) != EA_OK ||
	    ea_model_open(model_path, NULL, NULL, &model, err, sizeof(err)) != EA_OK ||
	    ea_session_open(dev, model, &so, &s, err, sizeof(err)) != EA_OK) {
		printf("error: open: %s\n", err);
		return 1;
	}
	n_vocab = model->cfg.n_vocab;
	logits = malloc((size_t)n_vocab * sizeof(float));
	if (ea_tokenize(model, prompt, strlen(prompt), 0, tokens, 256, &n_prompt) != EA_OK ||
	    ea_session_prefill(s, tokens, (int)n_prompt, logits, &reused) != EA_OK) {
		printf("error: prompt: %s\n", ea_session_error(s));
		return 1;
	}
	pos = (int)n_prompt;
	printf("engine: %s\n", ea_session_engine(s));
	if (dev->kmod.fd >= 0) {
		busy0 = fdinfo_value(dev->kmod.fd, "drm-engine-edgeai");
		jobs0 = fdinfo_value(dev->kmod.fd, "edgeai-jobs-completed");
	}
	t0 = now_s();
	for (int i = 0; loop || i < n_tokens; i++) {
		int32_t next = argmax(logits, n_vocab);

		tokens[pos % 512] = next;
		if (pos + 1 >= model->cfg.n_ctx) {	/* --loop: start over at the prompt's end */
			ea_session_reset(s);
			if (ea_session_prefill(s, tokens, (int)n_prompt, logits, &reused) != EA_OK)
				goto failed;
			pos = (int)n_prompt;
			continue;
		}
		if (ea_session_eval(s, &next, 1, pos, logits) != EA_OK)
			goto failed;
		pos++;
		if (loop)
			printf("progress %d\n", i + 1);
	}
	{
		double dt = now_s() - t0;

		printf("tokens:");
		for (int i = 0; i < n_tokens; i++)
			printf(" %d", (int)tokens[n_prompt + i]);
		printf("\ntok_s: %.3f\nus_per_token: %.1f\n", n_tokens / dt, dt * 1e6 / n_tokens);
		/* The decode steps' jobs only: wall time minus the device time edgeaid reported. */
		if (dev->kmod.fd >= 0) {
			double busy_us = (fdinfo_value(dev->kmod.fd, "drm-engine-edgeai") - busy0) / 1e3;
			unsigned long long jobs = fdinfo_value(dev->kmod.fd, "edgeai-jobs-completed") -
						  jobs0;

			printf("decode_jobs: %llu\ndevice_us_per_job: %.1f\nrt_us_per_token: %.1f\n",
			       jobs, jobs ? busy_us / jobs : 0.0, (dt * 1e6 - busy_us) / n_tokens);
		}
	}
	if (dev->kmod.fd >= 0)
		print_fdinfo(dev->kmod.fd);
	if (hold_ms) {
		printf("holding\n");
		usleep((useconds_t)hold_ms * 1000);
	}
	if (again && !loop && pos + 1 + n_tokens < model->cfg.n_ctx && pos + 1 + n_tokens <= 512) {
		struct stat st;
		int n = pos + 1;

		printf("waiting\n");
		while (stat(again, &st) != 0)
			usleep(100 * 1000);
		tokens[pos] = argmax(logits, n_vocab);
		if (ea_session_prefill(s, tokens, n, logits, &reused) != EA_OK)
			goto failed;
		printf("reused: %d of %d\n", reused, n);
		for (pos = n; pos < n + n_tokens; pos++) {
			tokens[pos] = argmax(logits, n_vocab);
			if (ea_session_eval(s, &tokens[pos], 1, pos, logits) != EA_OK)
				goto failed;
		}
		printf("tokens2:");
		for (int i = n; i < pos; i++)
			printf(" %d", (int)tokens[i]);
		printf("\n");
	}
	ea_session_close(s);
	ea_model_close(model);
	ea_close(dev);
	free(logits);
	return 0;
failed:
	printf("error: step: %s\n", ea_session_error(s));
	return 3;
}
