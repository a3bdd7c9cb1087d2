#version 450
// Dequantize a row of GGUF Q8_0 blocks into fp32, bit-exact with ggml.
//
// A block is 34 bytes: an fp16 scale d, then 32 signed bytes q; value j of the
// block is d * q[j]. Blocks are not 4-byte aligned, so the row is read as 32-bit
// words and unpacked with shifts: that needs no 8- or 16-bit storage feature.
// The product of an fp16 scale (11 significant bits) and an int8 (8 bits) fits in
// fp32's 24, so every value is exact and the result equals the CPU reference.

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Blocks { uint words[]; } src;
layout(std430, binding = 1) writeonly buffer Values { float values[]; } dst;

#define EA_PUSH_DEQUANT
#include "ea_kernels.h"

const uint BLOCK_VALUES = 32u;
const uint BLOCK_BYTES = 34u;

uint load_byte(uint offset)
{
	return bitfieldExtract(src.words[offset >> 2], int((offset & 3u) * 8u), 8);
}

// fp16 bits to fp32, done by hand so that subnormal scales stay exact on
// drivers whose unpackHalf2x16 flushes them to zero.
float half_to_float(uint h)
{
	uint sign = (h & 0x8000u) << 16;
	uint exponent = (h >> 10) & 0x1fu;
	uint mantissa = h & 0x3ffu;

	if (exponent == 0u) {
		float magnitude = float(mantissa) * 5.9604644775390625e-8; // 2^-24
		return (sign != 0u) ? -magnitude : magnitude;
	}
	if (exponent == 31u)
		return uintBitsToFloat(sign | 0x7f800000u | (mantissa << 13));
	return uintBitsToFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

void main()
{
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;

	for (uint i = gl_GlobalInvocationID.x; i < p.n_values; i += stride) {
		uint block = i / BLOCK_VALUES;
		uint base = block * BLOCK_BYTES;
		// base is even, so the scale's two bytes never straddle a word.
		uint d_bits = bitfieldExtract(src.words[base >> 2], int((base & 2u) * 8u), 16);
		int q = bitfieldExtract(int(load_byte(base + 2u + i % BLOCK_VALUES)), 0, 8);

		dst.values[i] = half_to_float(d_bits) * float(q);
	}
}
