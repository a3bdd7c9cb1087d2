// The body of every embed_<type>.comp (see embed_head.glsl).

void main()
{
	uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
	uint i = group * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
	uint t = i / p.cols;

	if (t < p.n_tokens)
		o.values[i] = w_at(tokens.ids[t] * row_bytes(p.cols), i % p.cols);
}
