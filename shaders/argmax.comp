#version 450
// The index of the largest of n values (the first on ties), one workgroup.
// A shared-memory reduction of (value, index) pairs: it runs once per token,
// so it needs no subgroup variant.

#define WG 256u

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float values[]; } x;
layout(std430, binding = 0) readonly buffer X4 { vec4 values[]; } x4;
layout(std430, binding = 1) writeonly buffer Out { uint index; } o;

#define EA_PUSH_ARGMAX
#include "ea_kernels.h"

shared float best_value[WG];
shared uint best_index[WG];

// Whether (v, i) beats (bv, bi): larger, or equal and earlier.
bool beats(float v, uint i, float bv, uint bi)
{
	return v > bv || (v == bv && i < bi);
}

void main()
{
	uint id = gl_LocalInvocationID.x;
	float value = -1.0 / 0.0;
	uint index = 0xffffffffu;

	// 16-byte loads (the span is 256-byte aligned), then the last n % 4; ties
	// keep the earlier index, so the order of the scan does not matter.
	for (uint i4 = id; i4 < p.n / 4u; i4 += WG) {
		vec4 v = x4.values[i4];

		for (uint j = 0u; j < 4u; j++)
			if (beats(v[j], 4u * i4 + j, value, index)) {
				value = v[j];
				index = 4u * i4 + j;
			}
	}
	for (uint i = p.n / 4u * 4u + id; i < p.n; i += WG)
		if (beats(x.values[i], i, value, index)) {
			value = x.values[i];
			index = i;
		}
	best_value[id] = value;
	best_index[id] = index;
	barrier();
	for (uint half_size = WG / 2u; half_size > 0u; half_size >>= 1) {
		if (id < half_size &&
		    beats(best_value[id + half_size], best_index[id + half_size],
			  best_value[id], best_index[id])) {
			best_value[id] = best_value[id + half_size];
			best_index[id] = best_index[id + half_size];
		}
		barrier();
	}
	if (id == 0u)
		o.index = best_index[0];
}
