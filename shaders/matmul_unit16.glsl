// The matmul unit (matmul_unit.glsl) of the 16-bit float types, F16 and BF16:
// 16 bytes from an even offset. The type file defines PAIR(word): the two
// values of a 32-bit word of weights, as a vec2.
#define W_UNIT
#define w_raw w_words16_t

w_raw w_unit_load(uint row, uint k)
{
	return w_words16(row + 2u * k);
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	uvec4 h = w_join16(r, row + 2u * k);

	lo = vec4(PAIR(h.x), PAIR(h.y));
	hi = vec4(PAIR(h.z), PAIR(h.w));
}
