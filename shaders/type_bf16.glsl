// BF16 weights (a float's upper 16 bits; rows 2-byte aligned): row_bytes() and w_at().
uint row_bytes(uint cols)
{
	return cols * 2u;
}

float w_at(uint row, uint k)
{
	return uintBitsToFloat(w_u16(row + 2u * k) << 16);
}

// Values k and k + 1 (k even) from one 32-bit load where the row is aligned.
#define W_PAIR
vec2 w_pair(uint row, uint k)
{
	uint word = w_u32(row + 2u * k);

	return vec2(uintBitsToFloat(word << 16), uintBitsToFloat(word & 0xffff0000u));
}
