// One block of 32 values of x quantized for the int8 matvec: what
// quantize_x_main.glsl (x quantized once, into a buffer) and the int8 matvec
// that quantizes x itself (matvec_i8_head.glsl with EA_I8_OWN_X, into shared
// memory) share. The includer defines X_QUAD(i) and NORM_QUAD(i), x's and
// the norm weight's i-th vec4, and QX_STORE(u, v), QD_STORE(u, v), where unit
// u's int8 values and scales go (the layout is quantize_x_main.glsl's).

// Round v / d to int8 lanes packed into a word (inv = 1 / d, or 0).
uint pack_q(vec4 v, float inv)
{
	ivec4 q = ivec4(round(v * inv));

	return uint(q.x & 0xff) | (uint(q.y & 0xff) << 8) | (uint(q.z & 0xff) << 16) |
	       (uint(q.w & 0xff) << 24);
}

int sum_q(vec4 v, float inv)
{
	vec4 r = round(v * inv);

	return int(r.x + r.y + r.z + r.w);
}

// Quantize block b of x (times the norm weight with norm_on) into units 2b
// and 2b + 1; returns the sum of the squares of its x values.
float quantize_block(uint b, bool norm_on)
{
	vec4 v[8];
	float amax = 0.0, ss = 0.0;

	for (uint i = 0u; i < 8u; i++) {
		vec4 xi = X_QUAD(b * 8u + i);

		ss += dot(xi, xi);
		v[i] = norm_on ? xi * NORM_QUAD(b * 8u + i) : xi;
		vec4 a = abs(v[i]);
		amax = max(amax, max(max(a.x, a.y), max(a.z, a.w)));
	}
	float d = amax / 127.0;
	float inv = d > 0.0 ? 1.0 / d : 0.0;
	uint q[8];

	for (uint i = 0u; i < 8u; i++)
		q[i] = pack_q(v[i], inv);
#ifdef Q4_0_ORDER
	for (uint h = 0u; h < 2u; h++) {
		int s = sum_q(v[2u * h], inv) + sum_q(v[2u * h + 1u], inv) +
			sum_q(v[4u + 2u * h], inv) + sum_q(v[5u + 2u * h], inv);

		QX_STORE(2u * b + h, uvec4(q[2u * h], q[2u * h + 1u], q[4u + 2u * h],
					      q[5u + 2u * h]));
		QD_STORE(2u * b + h, vec2(d, 8.0 * d * float(s)));
	}
#else
	QX_STORE(2u * b, uvec4(q[0], q[1], q[2], q[3]));
	QX_STORE(2u * b + 1u, uvec4(q[4], q[5], q[6], q[7]));
	QD_STORE(2u * b, vec2(d, 0.0));
	QD_STORE(2u * b + 1u, vec2(d, 0.0));
#endif
	return ss;
}
