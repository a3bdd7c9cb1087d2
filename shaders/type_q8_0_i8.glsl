// Q8_0 for the int8-dot matvec: a unit is 16 int8 weights (4 words) at byte o
// of a block at byte `block`.
#define BLOCK_BYTES 34u
#define UNIT_HALF 16u

// The words a unit reads: the 4 (5 when misaligned) holding its weights and
// the one holding its block's fp16 scale.
struct unit_w {
	uvec4 a;
	uint e;
	uint dw;
};

unit_w load_unit(uint block, uint o)
{
	uint i = o >> 2;
	unit_w q;

	q.a = uvec4(w.words[i], w.words[i + 1u], w.words[i + 2u], w.words[i + 3u]);
	q.e = (o & 2u) != 0u ? w.words[i + 4u] : 0u;
	q.dw = w.words[block >> 2];
	return q;
}

int unit_sumi(unit_w q, uint o, uvec4 xq)
{
	return dot4(funnel(q.a.x, q.a.y, o), xq.x) + dot4(funnel(q.a.y, q.a.z, o), xq.y) +
	       dot4(funnel(q.a.z, q.a.w, o), xq.z) + dot4(funnel(q.a.w, q.e, o), xq.w);
}
