// The K-quants' (Q4_K, Q5_K) 12 bytes of 6-bit scales and mins, 8 sub-blocks
// of 32 values, right after the block's fp16 d and dmin.

// Scale and min of sub-block s (ggml's get_scale_min_k4), as floats.
vec2 k_scale_min(uint block, uint s)
{
	uint scales = block + 4u;

	if (s < 4u)
		return vec2(w_byte(scales + s) & 63u, w_byte(scales + s + 4u) & 63u);
	return vec2((w_byte(scales + s + 4u) & 0xfu) | ((w_byte(scales + s - 4u) >> 6) << 4),
		    (w_byte(scales + s + 4u) >> 4) | ((w_byte(scales + s) >> 6) << 4));
}
