// Q4_K weights, ggml's block_q4_K: 144 bytes per 256 values: fp16 d, fp16
// dmin, 12 bytes of 6-bit scales and mins for 8 sub-blocks of 32, then 128
// bytes of nibbles. Values 64g .. 64g+31 are the low nibbles of bytes
// 32g .. 32g+31 (sub-block 2g), values 64g+32 .. 64g+63 their high nibbles
// (sub-block 2g+1); a value is d * scale * nibble - dmin * min.
#define Q4_K_BYTES 144u

uint row_bytes(uint cols)
{
	return cols / 256u * Q4_K_BYTES;
}

#include "k_scales.glsl"

float w_at(uint row, uint k)
{
	uint block = row + k / 256u * Q4_K_BYTES;
	uint r = k % 256u;
	uint g = r / 64u;
	bool high = (r % 64u) >= 32u;
	uint byte = w_byte(block + 16u + 32u * g + r % 32u);
	vec2 sm = k_scale_min(block, 2u * g + (high ? 1u : 0u));
	float q = float(high ? byte >> 4 : byte & 0xfu);

	return w_half(block) * sm.x * q - w_half(block + 2u) * sm.y;
}

// A matmul unit (matmul_unit.glsl): values k .. k + 7 share sub-block s's
// scale and min, and are the low or high nibbles of 8 word-aligned bytes
// (blocks are 144 bytes, so rows stay word-aligned).
#define W_UNIT
struct w_raw {
	uint dm;	// d and dmin
	uvec3 sc;	// the 12 bytes of scales and mins
	uvec2 q;	// the 8 bytes of nibbles
};

w_raw w_unit_load(uint row, uint k)
{
	uint o = (row + k / 256u * Q4_K_BYTES) >> 2;
	uint r = k % 256u;
	uint q = o + 4u + (32u * (r / 64u) + r % 32u) / 4u;
	w_raw raw;

	raw.dm = w.words[o];
	raw.sc = uvec3(w.words[o + 1u], w.words[o + 2u], w.words[o + 3u]);
	raw.q = uvec2(w.words[q], w.words[q + 1u]);
	return raw;
}

uint q4_k_scale_byte(uvec3 sc, uint i)
{
	return bitfieldExtract(sc[i / 4u], int(i % 4u * 8u), 8);
}

void w_unit_decode(w_raw raw, uint row, uint k, out vec4 lo, out vec4 hi)
{
	uint r = k % 256u;
	bool high = r % 64u >= 32u;
	uint s = 2u * (r / 64u) + (high ? 1u : 0u);
	vec2 dm = vec2(half_to_float(raw.dm & 0xffffu), half_to_float(raw.dm >> 16));
	uint scale, mn;
	uvec2 q = high ? raw.q >> 4 : raw.q;

	if (s < 4u) {
		scale = q4_k_scale_byte(raw.sc, s) & 63u;
		mn = q4_k_scale_byte(raw.sc, s + 4u) & 63u;
	} else {
		scale = (q4_k_scale_byte(raw.sc, s + 4u) & 0xfu) |
			((q4_k_scale_byte(raw.sc, s - 4u) >> 6) << 4);
		mn = (q4_k_scale_byte(raw.sc, s + 4u) >> 4) |
		     ((q4_k_scale_byte(raw.sc, s) >> 6) << 4);
	}
	lo = dm.x * float(scale) * low_nibbles(q.x) - dm.y * float(mn);
	hi = dm.x * float(scale) * low_nibbles(q.y) - dm.y * float(mn);
}
