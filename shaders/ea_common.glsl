// Shared helpers of the edgeai kernels: byte access to word buffers, fp16
// decoding, and workgroup reductions with a subgroup and a shared-memory path.
//
// A kernel that includes this file declares its weight buffer as
//   layout(...) readonly buffer Weights { uint words[]; } w;
// before including it when it uses the w_* loaders. Compiled twice by
// shaders.mk: plain, and with EA_SUBGROUP defined for devices with subgroup
// arithmetic in compute shaders (the _sg variant).

#ifdef EA_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

// fp16 bits to fp32, by hand so that subnormals stay exact on drivers whose
// unpackHalf2x16 flushes them.
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
