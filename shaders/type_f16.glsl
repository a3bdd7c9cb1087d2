// F16 weights (rows 2-byte aligned): row_bytes() and w_at().
uint row_bytes(uint cols)
{
	return cols * 2u;
}

float w_at(uint row, uint k)
{
	return w_half(row + 2u * k);
}
