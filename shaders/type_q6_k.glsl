// Q6_K weights, ggml's block_q6_K: 210 bytes per 256 values: ql[128] (low 4
// bits), qh[64] (high 2 bits), 16 int8 scales, fp16 d. In half h (128 values),
// for l < 32: values l, l+32, l+64, l+96 take the low nibble of ql[64h+l], the
// low nibble of ql[64h+l+32], the high nibble of ql[64h+l], the high nibble of
// ql[64h+l+32], and bits 0-1, 2-3, 4-5, 6-7 of qh[32h+l]; their scales are
// scales[8h + l/16 + 0, 2, 4, 6]; a value is d * scale * (q - 32).
#define Q6_K_BYTES 210u

uint row_bytes(uint cols)
{
	return cols / 256u * Q6_K_BYTES;
}

float q6_k_scale(uint block, uint i)
{
	return float(bitfieldExtract(int(w_byte(block + 192u + i)), 0, 8));
}

float w_at(uint row, uint k)
{
	uint block = row + k / 256u * Q6_K_BYTES;
	uint r = k % 256u;
	uint h = r / 128u;
	uint quad = (r % 128u) / 32u;
	uint l = r % 32u;
	uint low = w_byte(block + 64u * h + l + (quad & 1u) * 32u);
	uint high = w_byte(block + 128u + 32u * h + l);
	uint q = ((quad < 2u ? low : low >> 4) & 0xfu) | (((high >> (2u * quad)) & 3u) << 4);

	return w_half(block + 208u) * q6_k_scale(block, 8u * h + l / 16u + 2u * quad) *
	       (float(q) - 32.0);
}
