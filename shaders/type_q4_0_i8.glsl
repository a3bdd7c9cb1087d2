// Q4_0 for the int8-dot matvec: a unit is 8 bytes of nibbles at byte o of a
// block at byte `block`, the low nibbles values 8h .. 8h+7 and the high ones
// 16+8h .. 16+8h+7 of the block (quantize_x_q4_0.comp puts x in that order).
#define BLOCK_BYTES 18u
#define UNIT_HALF 8u

// The words a unit reads: the 2 (3 when misaligned) holding its nibbles and
// the one holding its block's fp16 scale.
struct unit_w {
	uvec3 a;
	uint dw;
};

unit_w load_unit(uint block, uint o)
{
	uint i = o >> 2;
	unit_w q;

	q.a = uvec3(w.words[i], w.words[i + 1u], (o & 2u) != 0u ? w.words[i + 2u] : 0u);
	q.dw = w.words[block >> 2];
	return q;
}

int unit_sumi(unit_w q, uint o, uvec4 xq)
{
	uint q0 = funnel(q.a.x, q.a.y, o), q1 = funnel(q.a.y, q.a.z, o);

	return dot4(q0 & 0x0f0f0f0fu, xq.x) + dot4(q1 & 0x0f0f0f0fu, xq.y) +
	       dot4((q0 >> 4) & 0x0f0f0f0fu, xq.z) + dot4((q1 >> 4) & 0x0f0f0f0fu, xq.w);
}
