// F32 weights: row_bytes() and w_at(), the value at column k of the row at
// byte offset row.
uint row_bytes(uint cols)
{
	return cols * 4u;
}

float w_at(uint row, uint k)
{
	return uintBitsToFloat(w.words[(row >> 2) + k]);
}
