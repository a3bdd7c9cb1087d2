// F16 weights (rows 2-byte aligned): row_bytes() and w_at().
uint row_bytes(uint cols)
{
	return cols * 2u;
}

float w_at(uint row, uint k)
{
	return w_half(row + 2u * k);
}

// Values k and k + 1 (k even) from one 32-bit load where the row is aligned.
#define W_PAIR
vec2 w_pair(uint row, uint k)
{
	uint word = w_u32(row + 2u * k);

	return vec2(half_to_float(word & 0xffffu), half_to_float(word >> 16));
}

// A matmul unit (matmul_unit.glsl): 16 bytes from an even offset.
#define W_UNIT
#define w_raw w_words16_t

w_raw w_unit_load(uint row, uint k)
{
	return w_words16(row + 2u * k);
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	uvec4 h = w_join16(r, row + 2u * k);

	lo = vec4(unpackHalf2x16(h.x), unpackHalf2x16(h.y));
	hi = vec4(unpackHalf2x16(h.z), unpackHalf2x16(h.w));
}
