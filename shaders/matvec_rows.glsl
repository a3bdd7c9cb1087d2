// What the float and int8 matvec bodies (matvec_main.glsl, matvec_i8_main.glsl)
// share: the reduced sums of a workgroup's accumulators. Sharing more of their start
// (the row offsets) as a function changed the SPIR-V, so it stays in each.

// The reduced sum of accumulator @r, after the reduction in main().
float row_total(uint r)
{
#ifdef EA_SUBGROUP
	float sum = 0.0;

	for (uint i = 0u; i < gl_NumSubgroups; i++)
		sum += partial[r][i];
	return sum;
#else
	return partial[r][0];
#endif
}
