// SPDX-License-Identifier: MIT
/* The CPU reference of Q8_0 dequantization against blocks worked out by hand. */
#include <math.h>
#include <string.h>

#include "ea_tap.h"
#include "edgeai.h"

static void make_block(uint8_t *block, uint16_t scale, const int8_t *q)
{
	block[0] = (uint8_t)scale;
	block[1] = (uint8_t)(scale >> 8);
	memcpy(block + 2, q, EA_Q8_0_BLOCK_VALUES);
}

/* q = -16 .. 15, so each block holds negative, zero and positive values. */
static void ramp(int8_t *q)
{
	for (int j = 0; j < EA_Q8_0_BLOCK_VALUES; j++)
		q[j] = (int8_t)(j - 16);
}

static bool same_bits(float a, float b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Dequantize one block of scale @scale_bits; value j must equal @scale * q[j]. */
static bool check_block(uint16_t scale_bits, float scale)
{
	uint8_t block[EA_Q8_0_BLOCK_BYTES];
	float out[EA_Q8_0_BLOCK_VALUES];
	int8_t q[EA_Q8_0_BLOCK_VALUES];

	ramp(q);
	make_block(block, scale_bits, q);
	if (ea_ref_dequant_q8_0(block, EA_Q8_0_BLOCK_VALUES, out) != EA_OK)
		return false;
	for (int j = 0; j < EA_Q8_0_BLOCK_VALUES; j++) {
		if (!same_bits(out[j], scale * (float)q[j])) {
			tap_diag("scale 0x%04x value %d: got %a, want %a", scale_bits, j,
				 (double)out[j], (double)(scale * (float)q[j]));
			return false;
		}
	}
	return true;
}

static bool check_inf_scale(void)
{
	uint8_t block[EA_Q8_0_BLOCK_BYTES];
	float out[EA_Q8_0_BLOCK_VALUES];
	int8_t q[EA_Q8_0_BLOCK_VALUES];

	ramp(q);
	make_block(block, 0xfc00, q); /* -inf */
	ea_ref_dequant_q8_0(block, EA_Q8_0_BLOCK_VALUES, out);
	return out[0] == INFINITY && isnan(out[16]) && out[31] == -INFINITY;
}

static bool check_two_blocks(void)
{
	uint8_t blocks[2 * EA_Q8_0_BLOCK_BYTES];
	float out[2 * EA_Q8_0_BLOCK_VALUES];
	int8_t q[EA_Q8_0_BLOCK_VALUES];

	ramp(q);
	make_block(blocks, 0x3c00, q);				/* 1.0 */
	q[0] = -128;
	q[31] = 127;
	make_block(blocks + EA_Q8_0_BLOCK_BYTES, 0x4000, q);	/* 2.0 */
	ea_ref_dequant_q8_0(blocks, 2 * EA_Q8_0_BLOCK_VALUES, out);
	return out[0] == -16.0f && out[31] == 15.0f && out[32] == -256.0f &&
	       out[33] == -30.0f && out[63] == 254.0f;
}

int main(void)
{
	uint8_t block[EA_Q8_0_BLOCK_BYTES] = { 0 };
	float out[EA_Q8_0_BLOCK_VALUES];
	struct tap t = { 0 };

	tap_plan(&t, 12);
	tap_ok(&t, check_block(0x3c00, 1.0f), "scale 1.0");
	tap_ok(&t, check_block(0xb800, -0.5f), "scale -0.5");
	tap_ok(&t, check_block(0x7bff, 65504.0f), "largest finite scale 65504");
	tap_ok(&t, check_block(0x0400, 0x1p-14f), "smallest normal scale 2^-14");
	tap_ok(&t, check_block(0x0001, 0x1p-24f), "smallest subnormal scale 2^-24");
	tap_ok(&t, check_block(0x83ff, -0x3ffp-24f), "largest negative subnormal scale");
	tap_ok(&t, check_block(0x8000, -0.0f), "scale -0 gives signed zeros");
	tap_ok(&t, check_inf_scale(), "scale -inf gives +inf, NaN (for q=0), -inf");
	tap_ok(&t, check_two_blocks(), "two blocks, q of -128 and 127");
	tap_ok(&t, ea_ref_dequant_q8_0(block, 31, out) == EA_ERR_INVALID_ARGUMENT,
	       "31 values (not whole blocks) rejected");
	tap_ok(&t, ea_ref_dequant_q8_0(NULL, 32, out) == EA_ERR_INVALID_ARGUMENT,
	       "NULL blocks rejected");
	tap_ok(&t, ea_ref_dequant_q8_0(block, 0, out) == EA_OK, "an empty row is fine");
	return tap_done(&t);
}
