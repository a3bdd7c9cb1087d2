// SPDX-License-Identifier: MIT
/*
 * tests/install/client.c - the smallest libedgeai client, as a service author
 * writes one: built with `pkg-config --cflags --libs edgeai` against an
 * installed tree, it opens MODEL and generates N tokens on the CPU
 * reference, printing them. usage: client MODEL PROMPT N
 */
#include <edgeai.h>
#include <stdio.h>
#include <stdlib.h>

static int print_piece(const char *text, size_t len, void *user)
{
	(void)user;
	fwrite(text, 1, len, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct ea_session_options options = { .engine = EA_ENGINE_CPU };
	struct ea_generate_params params = { 0 };
	struct ea_generate_result result;
	struct ea_model *model = NULL;
	struct ea_session *session = NULL;
	char why[512];
	int rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: client MODEL PROMPT N\n");
		return 2;
	}
	params.prompt = argv[2];
	params.max_tokens = atoi(argv[3]);
	params.ignore_eos = true;
	if (ea_model_open(argv[1], NULL, NULL, &model, why, sizeof(why)) == EA_OK &&
	    ea_session_open(NULL, model, &options, &session, why, sizeof(why)) == EA_OK) {
		if (ea_generate(session, &params, print_piece, NULL, &result) == EA_OK) {
			printf("\n%d tokens\n", result.n_generated_tokens);
			rc = 0;
		} else {
			fprintf(stderr, "client: %s\n", ea_session_error(session));
		}
	} else {
		fprintf(stderr, "client: %s\n", why);
	}
	ea_session_close(session);
	ea_model_close(model);
	return rc;
}
