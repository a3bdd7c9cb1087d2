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

// Wide loads in two halves, so that a kernel can issue the loads of its next
// step before it works on this one and join the bytes after (matmul units,
// matmul_unit.glsl): w_words8() loads the words that hold 8 bytes from an
// even offset (a third one only when the offset is not word-aligned), and
// w_join8() makes the 8 bytes of them; w_words16() / w_join16() the same for
// 16 bytes.
uvec3 w_words8(uint offset)
{
	uint o = offset >> 2;

	return uvec3(w.words[o], w.words[o + 1u], (offset & 2u) != 0u ? w.words[o + 2u] : 0u);
}

uvec2 w_join8(uvec3 words, uint offset)
{
	if ((offset & 2u) == 0u)
		return words.xy;
	return uvec2((words.x >> 16) | (words.y << 16), (words.y >> 16) | (words.z << 16));
}

struct w_words16_t {
	uvec4 a;
	uint e;
};

w_words16_t w_words16(uint offset)
{
	uint o = offset >> 2;
	w_words16_t r;

	r.a = uvec4(w.words[o], w.words[o + 1u], w.words[o + 2u], w.words[o + 3u]);
	r.e = (offset & 2u) != 0u ? w.words[o + 4u] : 0u;
	return r;
}

uvec4 w_join16(w_words16_t words, uint offset)
{
	uvec4 a = words.a;

	if ((offset & 2u) == 0u)
		return a;
	return uvec4((a.x >> 16) | (a.y << 16), (a.y >> 16) | (a.z << 16),
		     (a.z >> 16) | (a.w << 16), (a.w >> 16) | (words.e << 16));
}

// The fp16 value at an even offset, from the word that holds it.
float w_half_in(uint word, uint offset)
{
	return half_to_float(bitfieldExtract(word, int((offset & 2u) * 8u), 16));
}

// The four bytes of a word as unsigned values.
vec4 unsigned_bytes(uint word)
{
	return vec4(word & 0xffu, (word >> 8) & 0xffu, (word >> 16) & 0xffu, word >> 24);
}
