// Byte-addressed loads from the word buffer `w` (declared by the includer).
// Quantized blocks are 18, 34 or 210 bytes, so rows are only 2-byte aligned:
// everything is read as 32-bit words and unpacked with shifts, which needs no
// 8- or 16-bit storage feature. A load touches only the words that hold its
// bytes, so a buffer padded to a multiple of 4 bytes is never overrun.

uint w_byte(uint offset)
{
	return bitfieldExtract(w.words[offset >> 2], int((offset & 3u) * 8u), 8);
}

// Two bytes at an even offset: never straddles a word.
uint w_u16(uint offset)
{
	return bitfieldExtract(w.words[offset >> 2], int((offset & 2u) * 8u), 16);
}

// Four bytes at an even offset, little-endian.
uint w_u32(uint offset)
{
	uint word = w.words[offset >> 2];

	if ((offset & 2u) == 0u)
		return word;
	return (word >> 16) | (w.words[(offset >> 2) + 1u] << 16);
}

float w_half(uint offset)
{
	return half_to_float(w_u16(offset));
}

// The four bytes of a word as signed values.
vec4 signed_bytes(uint word)
{
	return vec4(bitfieldExtract(int(word), 0, 8), bitfieldExtract(int(word), 8, 8),
		    bitfieldExtract(int(word), 16, 8), bitfieldExtract(int(word), 24, 8));
}

// The low and the high nibbles of the four bytes of a word.
vec4 low_nibbles(uint word)
{
	return vec4(word & 0xfu, (word >> 8) & 0xfu, (word >> 16) & 0xfu, (word >> 24) & 0xfu);
}

vec4 high_nibbles(uint word)
{
	return low_nibbles(word >> 4);
}
