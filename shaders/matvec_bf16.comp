#version 450
#extension GL_GOOGLE_include_directive : require
// variants: subgroup
// Decode matvec y = W x, BF16 weights; a unit is one value.

#include "matvec_head.glsl"
#include "type_bf16.glsl"

uint units_per_row(uint cols)
{
	return cols;
}

float unit_dot(uint row, uint u)
{
	return w_at(row, u) * x1(u);
}

#include "matvec_main.glsl"
