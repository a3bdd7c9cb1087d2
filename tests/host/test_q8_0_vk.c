// SPDX-License-Identifier: MIT
/* The Vulkan Q8_0 kernel against the CPU reference: bit for bit, many lengths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ea_tap.h"
#include "edgeai.h"

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Any finite scale, subnormals and signed zeros included, and any q. */
static void random_blocks(uint8_t *blocks, size_t n_blocks, uint64_t seed)
{
	uint64_t state = seed;

	for (size_t i = 0; i < n_blocks * EA_Q8_0_BLOCK_BYTES; i++) {
		blocks[i] = (uint8_t)next_random(&state);
		if (i % EA_Q8_0_BLOCK_BYTES == 1 && (blocks[i] & 0x7c) == 0x7c)
			blocks[i] &= 0xbf; /* exponent 31 would be inf or NaN */
	}
}

/* NaN payloads may differ between CPU and GPU; everything else must match. */
static size_t count_differences(const float *a, const float *b, size_t n)
{
	size_t diff = 0;

	for (size_t i = 0; i < n; i++)
		if (memcmp(&a[i], &b[i], sizeof(float)) != 0 && !(isnan(a[i]) && isnan(b[i])))
			diff++;
	return diff;
}

static bool gpu_matches_cpu(struct ea_device *dev, const uint8_t *blocks, size_t n_values)
{
	float *gpu = malloc(n_values * sizeof(float));
	float *ref = malloc(n_values * sizeof(float));
	ea_status status;
	size_t diff = n_values;

	if (!gpu || !ref)
		goto out;
	status = ea_dequant_q8_0(dev, blocks, n_values, gpu);
	if (status != EA_OK) {
		tap_diag("ea_dequant_q8_0: %s: %s", ea_strerror(status), ea_last_error(dev));
		goto out;
	}
	ea_ref_dequant_q8_0(blocks, n_values, ref);
	diff = count_differences(gpu, ref, n_values);
	if (diff)
		tap_diag("%zu of %zu values differ", diff, n_values);
out:
	free(gpu);
	free(ref);
	return diff == 0;
}

static bool random_row_matches(struct ea_device *dev, size_t n_blocks)
{
	uint8_t *blocks = malloc(n_blocks * EA_Q8_0_BLOCK_BYTES);
	bool ok;

	if (!blocks)
		return false;
	random_blocks(blocks, n_blocks, 0x9e3779b97f4a7c15ull ^ n_blocks);
	ok = gpu_matches_cpu(dev, blocks, n_blocks * EA_Q8_0_BLOCK_VALUES);
	free(blocks);
	return ok;
}

/* Scales the random rows rarely hit: ±inf, NaN, ±0, subnormals, the extremes. */
static bool edge_scales_match(struct ea_device *dev)
{
	static const uint16_t scales[] = { 0x7c00, 0xfc00, 0x7e00, 0x0000, 0x8000,
					   0x0001, 0x83ff, 0x0400, 0x7bff, 0xfbff };
	const size_t n = sizeof(scales) / sizeof(scales[0]);
	uint8_t blocks[sizeof(scales) / sizeof(scales[0]) * EA_Q8_0_BLOCK_BYTES];

	for (size_t b = 0; b < n; b++) {
		uint8_t *block = blocks + b * EA_Q8_0_BLOCK_BYTES;

		block[0] = (uint8_t)scales[b];
		block[1] = (uint8_t)(scales[b] >> 8);
		for (int j = 0; j < EA_Q8_0_BLOCK_VALUES; j++)
			block[2 + j] = (uint8_t)(j * 8 - 128);
	}
	return gpu_matches_cpu(dev, blocks, n * EA_Q8_0_BLOCK_VALUES);
}

int main(void)
{
	/* The kernel runs 256 values per workgroup, 8 blocks: cover below, at and
	 * around that, odd counts, and a row of several million values. */
	static const size_t lengths[] = { 1, 3, 7, 8, 9, 255, 256, 257, 773, 65536 + 7 };
	const size_t n_lengths = sizeof(lengths) / sizeof(lengths[0]);
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct ea_device *dev;
	char why[1024];
	float out[32];
	struct tap t = { 0 };
	ea_status status;

	unsetenv("EDGEAI_VK_DEVICE");
	tap_plan(&t, (int)n_lengths + 4);
	status = ea_open(&options, &dev, why, sizeof(why));
	if (!tap_ok(&t, status == EA_OK, "ea_open in direct mode")) {
		tap_diag("%s: %s", ea_strerror(status), why);
		return 1;
	}
	tap_diag("Vulkan device: %s", ea_device_info(dev)->vk_name);

	for (size_t i = 0; i < n_lengths; i++)
		tap_ok(&t, random_row_matches(dev, lengths[i]),
		       "%zu blocks (%zu values): GPU equals CPU reference", lengths[i],
		       lengths[i] * EA_Q8_0_BLOCK_VALUES);
	tap_ok(&t, edge_scales_match(dev), "inf, NaN, signed-zero, subnormal and extreme scales");

	status = ea_dequant_q8_0(dev, out, 33, out);
	tap_ok(&t, status == EA_ERR_INVALID_ARGUMENT && ea_last_error(dev)[0],
	       "33 values rejected with a message: %s", ea_last_error(dev));
	tap_ok(&t, ea_dequant_q8_0(dev, out, 0, out) == EA_OK, "an empty row is fine");
	ea_close(dev);
	return tap_done(&t);
}
