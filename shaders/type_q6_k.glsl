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

// A matmul unit (matmul_unit.glsl): values k .. k + 7 share one scale and
// take 8 consecutive bytes of ql and of qh (blocks are 210 bytes: rows are
// only 2-byte aligned).
#define W_UNIT
struct w_raw {
	uvec3 l;	// the words holding the 8 bytes of ql
	uvec3 h;	// the words holding the 8 bytes of qh
	uint s;		// the word holding the scale
	uint d;		// the word holding d
};

// The offsets of a unit's ql bytes, qh bytes and scale in the block.
uvec3 q6_k_unit_at(uint k)
{
	uint r = k % 256u;
	uint h = r / 128u;
	uint quad = (r % 128u) / 32u;
	uint l = r % 32u;

	return uvec3(64u * h + l + (quad & 1u) * 32u, 128u + 32u * h + l,
		     192u + 8u * h + l / 16u + 2u * quad);
}

w_raw w_unit_load(uint row, uint k)
{
	uint block = row + k / 256u * Q6_K_BYTES;
	uvec3 at = block + q6_k_unit_at(k);
	w_raw r;

	r.l = w_words8(at.x);
	r.h = w_words8(at.y);
	r.s = w.words[at.z >> 2];
	r.d = w.words[(block + 208u) >> 2];
	return r;
}

void w_unit_decode(w_raw r, uint row, uint k, out vec4 lo, out vec4 hi)
{
	uint block = row + k / 256u * Q6_K_BYTES;
	uvec3 at = block + q6_k_unit_at(k);
	uint quad = (k % 128u) / 32u;
	uvec2 low = (w_join8(r.l, at.x) >> (quad < 2u ? 0u : 4u)) & 0x0f0f0f0fu;
	uvec2 high = (w_join8(r.h, at.y) >> (2u * quad)) & 0x03030303u;
	uvec2 q = low | (high << 4);
	float scale = float(bitfieldExtract(int(r.s), int((at.z & 3u) * 8u), 8));
	float d = w_half_in(r.d, block + 208u) * scale;

	lo = d * (unsigned_bytes(q.x) - 32.0);
	hi = d * (unsigned_bytes(q.y) - 32.0);
}
