// SPDX-License-Identifier: MIT
/*
 * tests/install/client.c - the smallest libedgeai client, as a service author
 * writes one: built with `pkg-config --cflags --libs edgeai` against an
 * installed tree, it opens MODEL and generates N tokens, printing them.
 *
 * usage: client [-d] [-w] MODEL PROMPT N
 *   -d  on the device (ea_open(): the module when it is loaded, or as
 *       EDGEAI_MODE says) instead of the CPU reference
 *   -w  then print "holding" and keep the session open until stdin ends, so
 *       that a test can look at the client (edgeai top) while it holds the device
 */
#include <edgeai.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int print_piece(const char *text, size_t len, void *user)
{
	(void)user;
	fwrite(text, 1, len, stdout);
	return 0;
}

static void hold_until_stdin_ends(void)
{
	printf("holding\n");
	fflush(stdout);
	while (getchar() != EOF)
		;
}

int main(int argc, char **argv)
{
	struct ea_session_options options = { .engine = EA_ENGINE_CPU };
	struct ea_generate_params params = { 0 };
	struct ea_generate_result result;
	struct ea_device *dev = NULL;
	struct ea_model *model = NULL;
	struct ea_session *session = NULL;
	bool on_device = false, hold = false;
	char why[512] = "";
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "dw")) != -1) {
		if (opt == 'd') {
			on_device = true;
		} else if (opt == 'w') {
			hold = true;
		} else {
			fprintf(stderr, "usage: client [-d] [-w] MODEL PROMPT N\n");
			return 2;
		}
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: client [-d] [-w] MODEL PROMPT N\n");
		return 2;
	}
	params.prompt = argv[optind + 1];
	params.max_tokens = atoi(argv[optind + 2]);
	params.ignore_eos = true;
	if (on_device) {
		options.engine = EA_ENGINE_AUTO;
		if (ea_open(NULL, &dev, why, sizeof(why)) != EA_OK) {
			fprintf(stderr, "client: %s\n", why);
			return 1;
		}
	}
	if (ea_model_open(argv[optind], NULL, NULL, &model, why, sizeof(why)) == EA_OK &&
	    ea_session_open(dev, model, &options, &session, why, sizeof(why)) == EA_OK) {
		if (ea_generate(session, &params, print_piece, NULL, &result) == EA_OK) {
			printf("\n%d tokens\n", result.n_generated_tokens);
			rc = 0;
			if (hold)
				hold_until_stdin_ends();
		} else {
			fprintf(stderr, "client: %s\n", ea_session_error(session));
		}
	} else {
		fprintf(stderr, "client: %s\n", why);
	}
	ea_session_close(session);
	ea_model_close(model);
	ea_close(dev);
	return rc;
}
