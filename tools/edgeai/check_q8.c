// SPDX-License-Identifier: MIT
/*
 * edgeai check-q8 - dequantize a random Q8_0 row with the Vulkan kernel and
 * compare it with the CPU reference; the two must agree bit for bit.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* 773 blocks: not a multiple of the shader's 256-wide workgroup, in blocks or values. */
#define DEFAULT_VALUES (773 * EA_Q8_0_BLOCK_VALUES)

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Scales like real weights: finite halves of magnitude 2^-14 .. 2^0. */
static void random_row(uint8_t *blocks, size_t n_blocks, uint64_t seed)
{
	uint64_t state = seed ? seed : 1;

	for (size_t b = 0; b < n_blocks; b++) {
		uint8_t *block = blocks + b * EA_Q8_0_BLOCK_BYTES;
		uint64_t r = next_random(&state);
		uint16_t scale = (uint16_t)(((r & 1) << 15) | ((1 + (r >> 1) % 15) << 10) |
					    ((r >> 8) & 0x3ff));

		block[0] = (uint8_t)scale;
		block[1] = (uint8_t)(scale >> 8);
		for (int j = 0; j < EA_Q8_0_BLOCK_VALUES; j++)
			block[2 + j] = (uint8_t)next_random(&state);
	}
}

/* Compare bit patterns; report the count of differing values and the largest gap. */
static size_t compare(const float *gpu, const float *ref, size_t n, double *max_err)
{
	size_t mismatches = 0;

	*max_err = 0;
	for (size_t i = 0; i < n; i++) {
		double err = fabs((double)gpu[i] - (double)ref[i]);

		if (memcmp(&gpu[i], &ref[i], sizeof(float)) != 0)
			mismatches++;
		if (err > *max_err)
			*max_err = err;
	}
	return mismatches;
}

static int check(struct ea_device *dev, size_t n_values, uint64_t seed)
{
	size_t n_blocks = n_values / EA_Q8_0_BLOCK_VALUES, mismatches;
	uint8_t *blocks = malloc(n_blocks * EA_Q8_0_BLOCK_BYTES + 1);
	float *gpu = malloc(n_values * sizeof(float) + 1);
	float *ref = malloc(n_values * sizeof(float) + 1);
	ea_status status;
	double max_err;
	int rc = 1;

	if (!blocks || !gpu || !ref) {
		fprintf(stderr, "edgeai check-q8: out of memory\n");
		goto out;
	}
	random_row(blocks, n_blocks, seed);
	status = ea_dequant_q8_0(dev, blocks, n_values, gpu);
	if (status != EA_OK) {
		fprintf(stderr, "edgeai check-q8: %s: %s\n", ea_strerror(status), ea_last_error(dev));
		goto out;
	}
	ea_ref_dequant_q8_0(blocks, n_values, ref);
	mismatches = compare(gpu, ref, n_values, &max_err);
	printf("dequant_q8_0: %zu values (%zu blocks) on %s, %s mode\n", n_values, n_blocks,
	       ea_device_info(dev)->vk_name, ea_mode_name(ea_device_mode(dev)));
	printf("max abs error vs CPU reference: %g, %zu values differ: %s\n", max_err,
	       mismatches, mismatches ? "FAILED" : "ok");
	rc = mismatches ? 1 : 0;
out:
	free(blocks);
	free(gpu);
	free(ref);
	return rc;
}

enum { OPT_VALUES = CLI_OPT_OWN, OPT_SEED };

static const struct option long_options[] = {
	{ "values", required_argument, NULL, OPT_VALUES },
	{ "seed", required_argument, NULL, OPT_SEED },
	CLI_DEVICE_OPTIONS,
	CLI_OPTIONS_END
};

static void parse_option(struct cli_parser *p, struct ea_open_options *options,
			 size_t *n_values, uint64_t *seed)
{
	long values;

	switch (p->option) {
	case OPT_VALUES:
		if (!cli_long(p, 1, LONG_MAX, &values))
			break;
		if (values % EA_Q8_0_BLOCK_VALUES)
			cli_bad_value(p, "expected a multiple of %d", EA_Q8_0_BLOCK_VALUES);
		else
			*n_values = (size_t)values;
		break;
	case OPT_SEED:
		cli_seed(p, seed);
		break;
	case CLI_OPT_MODE:
	case CLI_OPT_DEVICE:
		cli_device_option(p, options);
		break;
	}
}

static int run_check_q8(int argc, char **argv)
{
	struct ea_open_options options = { 0 };
	size_t n_values = DEFAULT_VALUES;
	uint64_t seed = 42;
	struct cli_parser p;
	struct ea_device *dev;
	int rc;

	cli_parser_init(&p, &cli_check_q8, argc, argv, "", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, &options, &n_values, &seed);
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;

	dev = cli_open(&options);
	if (!dev)
		return 1;
	rc = check(dev, n_values, seed);
	ea_close(dev);
	return rc;
}

const struct cli_command cli_check_q8 = {
	.name = "check-q8",
	.summary = "dequantize a random Q8_0 row on Vulkan and compare it with the CPU reference",
	.usage = "[--values N] [--seed S] [--mode auto|direct|kmod] [--device INDEX|NAME]",
	.run = run_check_q8,
};
