// SPDX-License-Identifier: MIT
/* ea_gguf - read and validate a GGUF file (v2, v3), mapped read-only. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ea_gguf.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ea_gguf reads little-endian files on a little-endian host only"
#endif

#define ALIGNMENT_KEY "general.alignment"
#define MAX_ARRAY_DEPTH 8		/* nested arrays deeper than this are rejected */
#define MAX_TENSOR_NAME 64		/* ggml's GGML_MAX_NAME, terminator excluded */
#define HIGHEST_GGML_TYPE_ID 41		/* ids up to here exist in ggml, maybe not here */
#define ARENA_CHUNK (1u << 20)

/* Smallest encodings, to bound counts by the bytes left before allocating. */
#define MIN_KV_BYTES (8 + 1 + 4 + 1)		/* key length, 1-byte key, type, u8 value */
#define MIN_TENSOR_INFO_BYTES (8 + 1 + 4 + 8 + 4 + 8)
#define MIN_STRING_BYTES 8
#define MIN_ARRAY_BYTES 12

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* An open-addressing table from names to 1-based indices. */
struct name_index {
	uint64_t *slots;
	uint64_t mask;
};

struct ea_gguf {
	const uint8_t *base;
	uint64_t size;
	bool mapped;
	uint32_t version;
	uint32_t alignment;
	uint64_t data_offset;
	uint64_t n_kv;
	struct ea_gguf_kv *kv;
	uint64_t n_tensors;
	struct ea_gguf_tensor *tensors;
	struct name_index kv_index, tensor_index;
	struct arena_chunk *arena;
};

struct parser {
	struct ea_gguf *g;
	uint64_t pos;
	struct ea_error *err;
	char where[160];	/* the item being read, e.g. "key 3 ('general.name')" */
};

static ea_status fail(struct parser *ps, ea_status status, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static ea_status fail(struct parser *ps, ea_status status, uint64_t offset, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ea_error_set(ps->err, status, "%s%s%s at offset %llu", ps->where,
			    ps->where[0] ? ": " : "", msg, (unsigned long long)offset);
}

static void *arena_alloc(struct ea_gguf *g, size_t bytes)
{
	struct arena_chunk *c = g->arena;

	bytes = (bytes + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->cap - c->used < bytes) {
		size_t cap = bytes > ARENA_CHUNK ? bytes : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = g->arena;
		g->arena = c;
	}
	c->used += bytes;
	return (char *)c->data + c->used - bytes;
}

static uint64_t hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

static bool index_init(struct name_index *ix, uint64_t n)
{
	uint64_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	ix->mask = cap - 1;
	return ix->slots != NULL;
}

/* The 1-based index stored for @name, or the empty slot where it belongs. */
static uint64_t *index_slot(const struct name_index *ix, const char *name,
			    const char *(*name_of)(const struct ea_gguf *, uint64_t),
			    const struct ea_gguf *g)
{
	uint64_t i = hash_name(name) & ix->mask;

	while (ix->slots[i] && strcmp(name_of(g, ix->slots[i] - 1), name) != 0)
		i = (i + 1) & ix->mask;
	return &ix->slots[i];
}

static const char *kv_name(const struct ea_gguf *g, uint64_t i)
{
	return g->kv[i].key.s;
}

static const char *tensor_name(const struct ea_gguf *g, uint64_t i)
{
	return g->tensors[i].name;
}

static ea_status need(struct parser *ps, uint64_t n, const char *field)
{
	if (ps->g->size - ps->pos < n)
		return fail(ps, EA_ERR_FORMAT, ps->pos,
			    "%s needs %llu bytes but the file ends at %llu", field,
			    (unsigned long long)n, (unsigned long long)ps->g->size);
	return EA_OK;
}

static ea_status read_bytes(struct parser *ps, void *out, uint64_t n, const char *field)
{
	ea_status status = need(ps, n, field);

	if (status == EA_OK) {
		memcpy(out, ps->g->base + ps->pos, n);
		ps->pos += n;
	}
	return status;
}

static ea_status read_u32(struct parser *ps, uint32_t *v, const char *field)
{
	return read_bytes(ps, v, sizeof(*v), field);
}

static ea_status read_u64(struct parser *ps, uint64_t *v, const char *field)
{
	return read_bytes(ps, v, sizeof(*v), field);
}

/* A string: u64 length, bytes. Copied NUL-terminated into the arena. */
static ea_status read_string(struct parser *ps, struct ea_gguf_str *out, const char *field)
{
	uint64_t at = ps->pos, len;
	ea_status status = read_u64(ps, &len, field);
	char *s;

	if (status != EA_OK)
		return status;
	if (len > ps->g->size - ps->pos)
		return fail(ps, EA_ERR_FORMAT, at,
			    "%s length %llu runs past the end of the file (%llu bytes left)",
			    field, (unsigned long long)len,
			    (unsigned long long)(ps->g->size - ps->pos));
	s = arena_alloc(ps->g, (size_t)len + 1);
	if (!s)
		return fail(ps, EA_ERR_NO_MEMORY, at, "%s: out of memory", field);
	memcpy(s, ps->g->base + ps->pos, (size_t)len);
	s[len] = '\0';
	ps->pos += len;
	out->s = s;
	out->len = len;
	return EA_OK;
}

/* A name that lookups take as a C string: non-empty, no NUL inside. */
static ea_status check_name(struct parser *ps, const struct ea_gguf_str *name, uint64_t at,
			    const char *field)
{
	if (name->len == 0)
		return fail(ps, EA_ERR_FORMAT, at, "%s is empty", field);
	if (strlen(name->s) != name->len)
		return fail(ps, EA_ERR_FORMAT, at, "%s contains a NUL byte", field);
	return EA_OK;
}

/* Bytes of one value of a fixed-size type; 0 for strings and arrays. */
static size_t scalar_size(enum ea_gguf_vtype type)
{
	switch (type) {
	case EA_GGUF_U8:
	case EA_GGUF_I8:
	case EA_GGUF_BOOL:
		return 1;
	case EA_GGUF_U16:
	case EA_GGUF_I16:
		return 2;
	case EA_GGUF_U32:
	case EA_GGUF_I32:
	case EA_GGUF_F32:
		return 4;
	case EA_GGUF_U64:
	case EA_GGUF_I64:
	case EA_GGUF_F64:
		return 8;
	case EA_GGUF_STRING:
	case EA_GGUF_ARRAY:
		break;
	}
	return 0;
}

static bool vtype_valid(uint32_t t)
{
	return t <= EA_GGUF_F64;
}

static ea_status read_vtype(struct parser *ps, enum ea_gguf_vtype *type, const char *field)
{
	uint64_t at = ps->pos;
	uint32_t t;
	ea_status status = read_u32(ps, &t, field);

	if (status != EA_OK)
		return status;
	if (!vtype_valid(t))
		return fail(ps, EA_ERR_FORMAT, at, "%s %u is not a GGUF value type (0..12)", field, t);
	*type = (enum ea_gguf_vtype)t;
	return EA_OK;
}

static ea_status check_bools(struct parser *ps, const uint8_t *b, uint64_t n, uint64_t at)
{
	for (uint64_t i = 0; i < n; i++)
		if (b[i] > 1)
			return fail(ps, EA_ERR_FORMAT, at + i, "bool element %llu is %u, not 0 or 1",
				    (unsigned long long)i, b[i]);
	return EA_OK;
}

static ea_status read_array(struct parser *ps, struct ea_gguf_array *arr, int depth);

static ea_status read_array_elements(struct parser *ps, struct ea_gguf_array *arr, int depth)
{
	size_t size = scalar_size(arr->type);
	uint64_t at = ps->pos;
	ea_status status = EA_OK;
	void *data;

	if (arr->type == EA_GGUF_STRING) {
		struct ea_gguf_str *items = arena_alloc(ps->g, arr->n * sizeof(*items));

		if (!items)
			return fail(ps, EA_ERR_NO_MEMORY, at, "array of %llu strings: out of memory",
				    (unsigned long long)arr->n);
		for (uint64_t i = 0; i < arr->n && status == EA_OK; i++)
			status = read_string(ps, &items[i], "array string");
		arr->data = items;
		return status;
	}
	if (arr->type == EA_GGUF_ARRAY) {
		struct ea_gguf_array *items = arena_alloc(ps->g, arr->n * sizeof(*items));

		if (!items)
			return fail(ps, EA_ERR_NO_MEMORY, at, "array of %llu arrays: out of memory",
				    (unsigned long long)arr->n);
		for (uint64_t i = 0; i < arr->n && status == EA_OK; i++)
			status = read_array(ps, &items[i], depth + 1);
		arr->data = items;
		return status;
	}
	data = arena_alloc(ps->g, arr->n * size);
	if (!data)
		return fail(ps, EA_ERR_NO_MEMORY, at, "array of %llu values: out of memory",
			    (unsigned long long)arr->n);
	status = read_bytes(ps, data, arr->n * size, "array data");
	if (status == EA_OK && arr->type == EA_GGUF_BOOL)
		status = check_bools(ps, data, arr->n, at);
	arr->data = data;
	return status;
}

/* An array: u32 element type, u64 count, the elements. */
static ea_status read_array(struct parser *ps, struct ea_gguf_array *arr, int depth)
{
	uint64_t at = ps->pos, min_bytes;
	ea_status status;

	if (depth >= MAX_ARRAY_DEPTH)
		return fail(ps, EA_ERR_FORMAT, at, "arrays nested deeper than %d", MAX_ARRAY_DEPTH);
	status = read_vtype(ps, &arr->type, "array element type");
	if (status == EA_OK)
		status = read_u64(ps, &arr->n, "array length");
	if (status != EA_OK)
		return status;
	min_bytes = arr->type == EA_GGUF_STRING ? MIN_STRING_BYTES :
		    arr->type == EA_GGUF_ARRAY ? MIN_ARRAY_BYTES : scalar_size(arr->type);
	if (arr->n > (ps->g->size - ps->pos) / min_bytes)
		return fail(ps, EA_ERR_FORMAT, at + 4,
			    "array length %llu of %s does not fit the %llu bytes left",
			    (unsigned long long)arr->n, ea_gguf_vtype_name(arr->type),
			    (unsigned long long)(ps->g->size - ps->pos));
	arr->data = NULL;
	if (arr->n == 0)
		return EA_OK;
	return read_array_elements(ps, arr, depth);
}

static ea_status read_scalar(struct parser *ps, struct ea_gguf_value *v)
{
	uint64_t at = ps->pos;
	uint8_t raw[8] = { 0 };
	ea_status status = read_bytes(ps, raw, scalar_size(v->type), "value");
	float f32;

	if (status != EA_OK)
		return status;
	switch (v->type) {
	case EA_GGUF_U8:	v->u = raw[0]; break;
	case EA_GGUF_I8:	v->i = (int8_t)raw[0]; break;
	case EA_GGUF_U16:	{ uint16_t x; memcpy(&x, raw, 2); v->u = x; break; }
	case EA_GGUF_I16:	{ int16_t x; memcpy(&x, raw, 2); v->i = x; break; }
	case EA_GGUF_U32:	{ uint32_t x; memcpy(&x, raw, 4); v->u = x; break; }
	case EA_GGUF_I32:	{ int32_t x; memcpy(&x, raw, 4); v->i = x; break; }
	case EA_GGUF_U64:	memcpy(&v->u, raw, 8); break;
	case EA_GGUF_I64:	memcpy(&v->i, raw, 8); break;
	case EA_GGUF_F32:	memcpy(&f32, raw, 4); v->f = f32; break;
	case EA_GGUF_F64:	memcpy(&v->f, raw, 8); break;
	case EA_GGUF_BOOL:
		if (raw[0] > 1)
			return fail(ps, EA_ERR_FORMAT, at, "bool value is %u, not 0 or 1", raw[0]);
		v->b = raw[0];
		break;
	case EA_GGUF_STRING:
	case EA_GGUF_ARRAY:
		break;
	}
	return EA_OK;
}

static ea_status read_value(struct parser *ps, struct ea_gguf_value *v)
{
	if (v->type == EA_GGUF_STRING)
		return read_string(ps, &v->str, "string value");
	if (v->type == EA_GGUF_ARRAY)
		return read_array(ps, &v->arr, 0);
	return read_scalar(ps, v);
}

static ea_status check_alignment_key(struct parser *ps, const struct ea_gguf_kv *kv)
{
	uint64_t a = kv->value.u;

	if (kv->value.type != EA_GGUF_U32)
		return fail(ps, EA_ERR_FORMAT, kv->offset, "%s must be a u32, not %s",
			    ALIGNMENT_KEY, ea_gguf_vtype_name(kv->value.type));
	if (a == 0 || (a & (a - 1)))
		return fail(ps, EA_ERR_FORMAT, kv->offset, "%s = %llu is not a power of two",
			    ALIGNMENT_KEY, (unsigned long long)a);
	ps->g->alignment = (uint32_t)a;
	return EA_OK;
}

static ea_status read_kv(struct parser *ps, uint64_t i)
{
	struct ea_gguf_kv *kv = &ps->g->kv[i];
	ea_status status;
	uint64_t *slot;

	kv->offset = ps->pos;
	snprintf(ps->where, sizeof(ps->where), "key %llu", (unsigned long long)i);
	status = read_string(ps, &kv->key, "key name");
	if (status == EA_OK)
		status = check_name(ps, &kv->key, kv->offset, "key name");
	if (status != EA_OK)
		return status;
	snprintf(ps->where, sizeof(ps->where), "key %llu ('%.100s')", (unsigned long long)i,
		 kv->key.s);
	slot = index_slot(&ps->g->kv_index, kv->key.s, kv_name, ps->g);
	if (*slot)
		return fail(ps, EA_ERR_FORMAT, kv->offset, "duplicate key (first is key %llu)",
			    (unsigned long long)(*slot - 1));
	*slot = i + 1;
	status = read_vtype(ps, &kv->value.type, "value type");
	if (status == EA_OK)
		status = read_value(ps, &kv->value);
	if (status == EA_OK && strcmp(kv->key.s, ALIGNMENT_KEY) == 0)
		status = check_alignment_key(ps, kv);
	return status;
}

static ea_status read_tensor_type(struct parser *ps, struct ea_gguf_tensor *t)
{
	uint64_t at = ps->pos;
	uint32_t type;
	ea_status status = read_u32(ps, &type, "type");

	if (status != EA_OK)
		return status;
	if (!ea_type_valid(type))
		return fail(ps, type <= HIGHEST_GGML_TYPE_ID ? EA_ERR_UNSUPPORTED : EA_ERR_FORMAT,
			    at, type <= HIGHEST_GGML_TYPE_ID ?
			    "tensor type %u is not supported (f32, f16, q4_0, q8_0, q4_k, q6_k are)" :
			    "tensor type %u is not a ggml type", type);
	t->type = (enum ea_type)type;
	return EA_OK;
}

static ea_status read_dims(struct parser *ps, struct ea_gguf_tensor *t)
{
	uint64_t at = ps->pos;
	ea_status status = read_u32(ps, &t->n_dims, "n_dims");

	if (status != EA_OK)
		return status;
	if (t->n_dims < 1 || t->n_dims > EA_GGUF_MAX_DIMS)
		return fail(ps, EA_ERR_FORMAT, at, "n_dims = %u, not 1 to %d", t->n_dims,
			    EA_GGUF_MAX_DIMS);
	t->n_values = 1;
	for (uint32_t d = 0; d < EA_GGUF_MAX_DIMS; d++) {
		t->ne[d] = 1;
		if (d >= t->n_dims)
			continue;
		at = ps->pos;
		status = read_u64(ps, &t->ne[d], "ne");
		if (status != EA_OK)
			return status;
		if (t->ne[d] == 0 || t->ne[d] > INT64_MAX)
			return fail(ps, EA_ERR_FORMAT, at, "ne[%u] = %llu, not 1 to 2^63-1", d,
				    (unsigned long long)t->ne[d]);
		if (t->n_values > INT64_MAX / t->ne[d])
			return fail(ps, EA_ERR_FORMAT, at,
				    "ne[%u] = %llu: the number of values overflows", d,
				    (unsigned long long)t->ne[d]);
		t->n_values *= t->ne[d];
	}
	return EA_OK;
}

/* The bytes of @t's data, once its type and dims are known. */
static ea_status size_tensor(struct parser *ps, struct ea_gguf_tensor *t, uint64_t at)
{
	size_t row = ea_type_row_bytes(t->type, t->ne[0]);
	uint64_t rows = t->n_values / t->ne[0];

	if (row == 0)
		return fail(ps, EA_ERR_FORMAT, at, "ne[0] = %llu is not a multiple of %s's block of %zu",
			    (unsigned long long)t->ne[0], ea_type_name(t->type),
			    ea_type_block_values(t->type));
	if (rows > SIZE_MAX / row || rows * row > ps->g->size)
		return fail(ps, EA_ERR_FORMAT, at, "%llu rows of %zu bytes exceed the file's %llu bytes",
			    (unsigned long long)rows, row, (unsigned long long)ps->g->size);
	t->nbytes = rows * row;
	return EA_OK;
}

static ea_status read_tensor_info(struct parser *ps, uint64_t i)
{
	struct ea_gguf_tensor *t = &ps->g->tensors[i];
	uint64_t at = ps->pos, type_at;
	struct ea_gguf_str name;
	ea_status status;
	uint64_t *slot;

	snprintf(ps->where, sizeof(ps->where), "tensor %llu", (unsigned long long)i);
	status = read_string(ps, &name, "name");
	if (status == EA_OK)
		status = check_name(ps, &name, at, "name");
	if (status != EA_OK)
		return status;
	if (name.len > MAX_TENSOR_NAME)
		return fail(ps, EA_ERR_FORMAT, at, "name is %llu bytes, more than %d",
			    (unsigned long long)name.len, MAX_TENSOR_NAME);
	t->name = name.s;
	snprintf(ps->where, sizeof(ps->where), "tensor %llu ('%s')", (unsigned long long)i, t->name);
	slot = index_slot(&ps->g->tensor_index, t->name, tensor_name, ps->g);
	if (*slot)
		return fail(ps, EA_ERR_FORMAT, at, "duplicate tensor name (first is tensor %llu)",
			    (unsigned long long)(*slot - 1));
	*slot = i + 1;
	status = read_dims(ps, t);
	type_at = ps->pos;
	if (status == EA_OK)
		status = read_tensor_type(ps, t);
	if (status == EA_OK)
		status = size_tensor(ps, t, type_at);
	if (status != EA_OK)
		return status;
	at = ps->pos;
	status = read_u64(ps, &t->offset, "offset");
	if (status == EA_OK && t->offset % ps->g->alignment)
		return fail(ps, EA_ERR_FORMAT, at, "data offset %llu is not a multiple of the alignment %u",
			    (unsigned long long)t->offset, ps->g->alignment);
	return status;
}

static ea_status read_header(struct parser *ps)
{
	struct ea_gguf *g = ps->g;
	char magic[4];
	ea_status status;

	snprintf(ps->where, sizeof(ps->where), "header");
	status = read_bytes(ps, magic, 4, "magic");
	if (status != EA_OK)
		return status;
	if (memcmp(magic, EA_GGUF_MAGIC, 4) != 0)
		return fail(ps, EA_ERR_FORMAT, 0, "magic is not \"GGUF\"");
	status = read_u32(ps, &g->version, "version");
	if (status != EA_OK)
		return status;
	if (g->version == 1 || g->version > 3)
		return fail(ps, EA_ERR_UNSUPPORTED, 4, "version %u%s is not supported (2 and 3 are)",
			    g->version, (g->version & 0xffff) == 0 ? " (a big-endian file?)" : "");
	if (g->version == 0)
		return fail(ps, EA_ERR_FORMAT, 4, "version 0 is not a GGUF version");
	status = read_u64(ps, &g->n_tensors, "tensor count");
	if (status == EA_OK)
		status = read_u64(ps, &g->n_kv, "key count");
	if (status != EA_OK)
		return status;
	if (g->n_kv > (g->size - ps->pos) / MIN_KV_BYTES)
		return fail(ps, EA_ERR_FORMAT, 16, "key count %llu does not fit the file",
			    (unsigned long long)g->n_kv);
	if (g->n_tensors > (g->size - ps->pos) / MIN_TENSOR_INFO_BYTES)
		return fail(ps, EA_ERR_FORMAT, 8, "tensor count %llu does not fit the file",
			    (unsigned long long)g->n_tensors);
	g->kv = calloc(g->n_kv ? g->n_kv : 1, sizeof(*g->kv));
	g->tensors = calloc(g->n_tensors ? g->n_tensors : 1, sizeof(*g->tensors));
	if (!g->kv || !g->tensors || !index_init(&g->kv_index, g->n_kv) ||
	    !index_init(&g->tensor_index, g->n_tensors))
		return fail(ps, EA_ERR_NO_MEMORY, 0, "out of memory");
	return EA_OK;
}

static int compare_offsets(const void *a, const void *b)
{
	const struct ea_gguf_tensor *x = *(const struct ea_gguf_tensor *const *)a;
	const struct ea_gguf_tensor *y = *(const struct ea_gguf_tensor *const *)b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Every tensor's data inside the file, none overlapping another. */
static ea_status place_tensors(struct parser *ps)
{
	struct ea_gguf *g = ps->g;
	uint64_t data_bytes = g->size > g->data_offset ? g->size - g->data_offset : 0;
	struct ea_gguf_tensor **order;
	ea_status status = EA_OK;

	for (uint64_t i = 0; i < g->n_tensors; i++) {
		struct ea_gguf_tensor *t = &g->tensors[i];

		snprintf(ps->where, sizeof(ps->where), "tensor %llu ('%s')", (unsigned long long)i,
			 t->name);
		if (t->offset > data_bytes || t->nbytes > data_bytes - t->offset)
			return fail(ps, EA_ERR_FORMAT, g->data_offset + t->offset,
				    "%zu bytes of data run past the end of the file (%llu bytes)",
				    t->nbytes, (unsigned long long)g->size);
		t->data = g->base + g->data_offset + t->offset;
	}
	if (g->n_tensors < 2)
		return EA_OK;
	order = malloc(g->n_tensors * sizeof(*order));
	if (!order)
		return fail(ps, EA_ERR_NO_MEMORY, 0, "out of memory");
	for (uint64_t i = 0; i < g->n_tensors; i++)
		order[i] = &g->tensors[i];
	qsort(order, g->n_tensors, sizeof(*order), compare_offsets);
	for (uint64_t i = 1; i < g->n_tensors && status == EA_OK; i++) {
		const struct ea_gguf_tensor *prev = order[i - 1], *t = order[i];

		if (t->offset < prev->offset + prev->nbytes) {
			snprintf(ps->where, sizeof(ps->where), "tensor '%s'", t->name);
			status = fail(ps, EA_ERR_FORMAT, g->data_offset + t->offset,
				      "data overlaps tensor '%s'", prev->name);
		}
	}
	free(order);
	return status;
}

static ea_status parse(struct parser *ps)
{
	struct ea_gguf *g = ps->g;
	ea_status status = read_header(ps);

	for (uint64_t i = 0; i < g->n_kv && status == EA_OK; i++)
		status = read_kv(ps, i);
	for (uint64_t i = 0; i < g->n_tensors && status == EA_OK; i++)
		status = read_tensor_info(ps, i);
	if (status != EA_OK)
		return status;
	g->data_offset = (ps->pos + g->alignment - 1) / g->alignment * g->alignment;
	if (g->n_tensors && g->data_offset > g->size) {
		snprintf(ps->where, sizeof(ps->where), "data section");
		return fail(ps, EA_ERR_FORMAT, ps->pos, "starts at %llu, past the end of the file",
			    (unsigned long long)g->data_offset);
	}
	return place_tensors(ps);
}

ea_status ea_gguf_open_memory(const void *data, size_t size, struct ea_gguf **out,
			      struct ea_error *err)
{
	struct parser ps = { .err = err };
	struct ea_gguf *g;
	ea_status status;

	if (!out || (!data && size))
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_gguf_open_memory: %s is NULL",
				    out ? "the data" : "the file's pointer");
	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory");
	g->base = data;
	g->size = size;
	g->alignment = EA_GGUF_DEFAULT_ALIGNMENT;
	ps.g = g;
	status = parse(&ps);
	if (status != EA_OK) {
		ea_gguf_close(g);
		return status;
	}
	*out = g;
	return EA_OK;
}

ea_status ea_gguf_open(const char *path, struct ea_gguf **out, struct ea_error *err)
{
	struct stat st;
	void *map;
	ea_status status;
	int fd;

	if (!path || !out)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_gguf_open: %s is NULL",
				    out ? "the path" : "the file's pointer");
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ea_error_set(err, EA_ERR_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ea_error_set(err, EA_ERR_IO, "%s: not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return ea_gguf_open_memory("", 0, out, err);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return ea_error_set(err, EA_ERR_IO, "%s: mmap: %s", path, strerror(errno));
	status = ea_gguf_open_memory(map, (size_t)st.st_size, out, err);
	if (status != EA_OK) {
		munmap(map, (size_t)st.st_size);
		return status;
	}
	(*out)->mapped = true;
	return EA_OK;
}

void ea_gguf_close(struct ea_gguf *g)
{
	if (!g)
		return;
	while (g->arena) {
		struct arena_chunk *next = g->arena->next;

		free(g->arena);
		g->arena = next;
	}
	if (g->mapped)
		munmap((void *)g->base, g->size);
	free(g->kv_index.slots);
	free(g->tensor_index.slots);
	free(g->kv);
	free(g->tensors);
	free(g);
}

uint32_t ea_gguf_version(const struct ea_gguf *g)
{
	return g->version;
}

uint32_t ea_gguf_alignment(const struct ea_gguf *g)
{
	return g->alignment;
}

uint64_t ea_gguf_data_offset(const struct ea_gguf *g)
{
	return g->data_offset;
}

uint64_t ea_gguf_file_size(const struct ea_gguf *g)
{
	return g->size;
}

const char *ea_gguf_vtype_name(enum ea_gguf_vtype type)
{
	static const char *const names[] = {
		"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array",
		"u64", "i64", "f64",
	};

	return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

uint64_t ea_gguf_n_keys(const struct ea_gguf *g)
{
	return g->n_kv;
}

const struct ea_gguf_kv *ea_gguf_key_at(const struct ea_gguf *g, uint64_t i)
{
	return i < g->n_kv ? &g->kv[i] : NULL;
}

const struct ea_gguf_kv *ea_gguf_find_key(const struct ea_gguf *g, const char *key)
{
	uint64_t slot = *index_slot(&g->kv_index, key, kv_name, g);

	return slot ? &g->kv[slot - 1] : NULL;
}

uint64_t ea_gguf_n_tensors(const struct ea_gguf *g)
{
	return g->n_tensors;
}

const struct ea_gguf_tensor *ea_gguf_tensor_at(const struct ea_gguf *g, uint64_t i)
{
	return i < g->n_tensors ? &g->tensors[i] : NULL;
}

const struct ea_gguf_tensor *ea_gguf_find_tensor(const struct ea_gguf *g, const char *name)
{
	uint64_t slot = *index_slot(&g->tensor_index, name, tensor_name, g);

	return slot ? &g->tensors[slot - 1] : NULL;
}

static bool is_unsigned(enum ea_gguf_vtype t)
{
	return t == EA_GGUF_U8 || t == EA_GGUF_U16 || t == EA_GGUF_U32 || t == EA_GGUF_U64;
}

static bool is_signed(enum ea_gguf_vtype t)
{
	return t == EA_GGUF_I8 || t == EA_GGUF_I16 || t == EA_GGUF_I32 || t == EA_GGUF_I64;
}

/* The integer value of @key if it lies in [lo, hi]. */
static ea_status get_int(const struct ea_gguf *g, const char *key, int64_t lo, uint64_t hi,
			 bool *negative, uint64_t *magnitude)
{
	const struct ea_gguf_kv *kv = ea_gguf_find_key(g, key);

	if (!kv)
		return EA_ERR_NOT_FOUND;
	if (is_unsigned(kv->value.type)) {
		if (kv->value.u > hi)
			return EA_ERR_FORMAT;
		*negative = false;
		*magnitude = kv->value.u;
		return EA_OK;
	}
	if (!is_signed(kv->value.type) || kv->value.i < lo ||
	    (kv->value.i > 0 && (uint64_t)kv->value.i > hi))
		return EA_ERR_FORMAT;
	*negative = kv->value.i < 0;
	*magnitude = (uint64_t)kv->value.i;
	return EA_OK;
}

ea_status ea_gguf_get_u32(const struct ea_gguf *g, const char *key, uint32_t *out)
{
	bool negative;
	uint64_t v;
	ea_status status = get_int(g, key, 0, UINT32_MAX, &negative, &v);

	if (status == EA_OK)
		*out = (uint32_t)v;
	return status;
}

ea_status ea_gguf_get_i32(const struct ea_gguf *g, const char *key, int32_t *out)
{
	bool negative;
	uint64_t v;
	ea_status status = get_int(g, key, INT32_MIN, INT32_MAX, &negative, &v);

	if (status == EA_OK)
		*out = (int32_t)(int64_t)v;
	return status;
}

ea_status ea_gguf_get_u64(const struct ea_gguf *g, const char *key, uint64_t *out)
{
	bool negative;
	uint64_t v;
	ea_status status = get_int(g, key, 0, UINT64_MAX, &negative, &v);

	if (status == EA_OK)
		*out = v;
	return status;
}

ea_status ea_gguf_get_f32(const struct ea_gguf *g, const char *key, float *out)
{
	const struct ea_gguf_kv *kv = ea_gguf_find_key(g, key);

	if (!kv)
		return EA_ERR_NOT_FOUND;
	if (kv->value.type != EA_GGUF_F32 && kv->value.type != EA_GGUF_F64)
		return EA_ERR_FORMAT;
	*out = (float)kv->value.f;
	return EA_OK;
}

ea_status ea_gguf_get_bool(const struct ea_gguf *g, const char *key, bool *out)
{
	const struct ea_gguf_kv *kv = ea_gguf_find_key(g, key);

	if (!kv)
		return EA_ERR_NOT_FOUND;
	if (kv->value.type != EA_GGUF_BOOL)
		return EA_ERR_FORMAT;
	*out = kv->value.b;
	return EA_OK;
}

ea_status ea_gguf_get_str(const struct ea_gguf *g, const char *key, const char **out)
{
	const struct ea_gguf_kv *kv = ea_gguf_find_key(g, key);

	if (!kv)
		return EA_ERR_NOT_FOUND;
	if (kv->value.type != EA_GGUF_STRING)
		return EA_ERR_FORMAT;
	*out = kv->value.str.s;
	return EA_OK;
}

static ea_status get_array(const struct ea_gguf *g, const char *key, enum ea_gguf_vtype type,
			   const void **items, uint64_t *n)
{
	const struct ea_gguf_kv *kv = ea_gguf_find_key(g, key);

	if (!kv)
		return EA_ERR_NOT_FOUND;
	if (kv->value.type != EA_GGUF_ARRAY || kv->value.arr.type != type)
		return EA_ERR_FORMAT;
	*items = kv->value.arr.data;
	*n = kv->value.arr.n;
	return EA_OK;
}

ea_status ea_gguf_get_arr_str(const struct ea_gguf *g, const char *key,
			      const struct ea_gguf_str **items, uint64_t *n)
{
	return get_array(g, key, EA_GGUF_STRING, (const void **)items, n);
}

ea_status ea_gguf_get_arr_i32(const struct ea_gguf *g, const char *key, const int32_t **items,
			      uint64_t *n)
{
	return get_array(g, key, EA_GGUF_I32, (const void **)items, n);
}

ea_status ea_gguf_get_arr_f32(const struct ea_gguf *g, const char *key, const float **items,
			      uint64_t *n)
{
	return get_array(g, key, EA_GGUF_F32, (const void **)items, n);
}
