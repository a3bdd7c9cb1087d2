// What matvec_f16.comp and matvec_bf16.comp share: where cols is a multiple of
// 8 (every usual model), a unit is 8 values read as one 16-byte load (rows of
// 16 * k bytes from a 256-byte aligned span stay aligned); otherwise one value
// through the type file's w_at(). The includer defines unpack4(a, b): the four
// values of two 32-bit words of weights.

layout(std430, binding = 0) readonly buffer Weights16 { uvec4 v[]; } w16;

bool wide()
{
	return p.cols % 8u == 0u;
}

uint units_per_row(uint cols)
{
	return wide() ? cols / 8u : cols;
}

#define UNIT_X
void unit_x(uint u)
{
	if (wide()) {
		ux[0] = x4(8u * u);
		ux[1] = x4(8u * u + 4u);
	} else {
		ux[0].x = x1(u);
	}
}

float unit_dot(uint row, uint u)
{
	if (wide()) {
		uvec4 q = w16.v[(row >> 4) + u];

		return dot(unpack4(q.x, q.y), ux[0]) + dot(unpack4(q.z, q.w), ux[1]);
	}
	return w_at(row, u) * ux[0].x;
}
