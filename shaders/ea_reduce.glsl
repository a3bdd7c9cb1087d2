// Workgroup reductions over WG invocations (WG: the includer's local_size_x,
// a power of two). Every invocation gets the result. Call them in uniform
// control flow: they contain barriers. With EA_SUBGROUP the subgroups reduce
// first and shared memory combines one value per subgroup; without it a
// shared-memory tree does all the work.

shared float reduce_scratch[WG];

#ifdef EA_SUBGROUP
float reduce_add(float v)
{
	float total = 0.0;

	v = subgroupAdd(v);
	barrier();
	if (subgroupElect())
		reduce_scratch[gl_SubgroupID] = v;
	barrier();
	for (uint i = 0u; i < gl_NumSubgroups; i++)
		total += reduce_scratch[i];
	return total;
}

float reduce_max(float v)
{
	float best;

	v = subgroupMax(v);
	barrier();
	if (subgroupElect())
		reduce_scratch[gl_SubgroupID] = v;
	barrier();
	best = reduce_scratch[0];
	for (uint i = 1u; i < gl_NumSubgroups; i++)
		best = max(best, reduce_scratch[i]);
	return best;
}
#else
float reduce_add(float v)
{
	uint id = gl_LocalInvocationID.x;

	barrier();
	reduce_scratch[id] = v;
	barrier();
	for (uint half_size = WG / 2u; half_size > 0u; half_size >>= 1) {
		if (id < half_size)
			reduce_scratch[id] += reduce_scratch[id + half_size];
		barrier();
	}
	return reduce_scratch[0];
}

float reduce_max(float v)
{
	uint id = gl_LocalInvocationID.x;

	barrier();
	reduce_scratch[id] = v;
	barrier();
	for (uint half_size = WG / 2u; half_size > 0u; half_size >>= 1) {
		if (id < half_size)
			reduce_scratch[id] = max(reduce_scratch[id], reduce_scratch[id + half_size]);
		barrier();
	}
	return reduce_scratch[0];
}
#endif
