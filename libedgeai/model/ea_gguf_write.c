// SPDX-License-Identifier: MIT
/* ea_gguf_write - write a GGUF v3 file: metadata and tensor infos in memory, data streamed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_error.h"
#include "ea_gguf.h"
#include "ea_gguf_write.h"

#define GGUF_VERSION 3
#define WRITE_BUFFER (1u << 20)

struct bytes {
	uint8_t *p;
	size_t n, cap;
};

struct tensor_info {
	char *name;
	enum ea_type type;
	uint32_t n_dims;
	uint64_t ne[EA_GGUF_MAX_DIMS];
	uint64_t nbytes, offset;
};

struct ea_gguf_writer {
	FILE *f;
	char *path;
	uint32_t alignment;
	struct bytes kv;		/* encoded key/value pairs */
	char **keys;			/* to refuse a key given twice */
	uint64_t n_kv;
	struct tensor_info *tensors;
	uint64_t n_tensors;
	uint64_t data_bytes;		/* of the data section, padding included */
	bool header_written;
	uint64_t current;		/* the tensor being written */
	uint64_t written;		/* bytes of it so far */
	struct ea_error error;
};

static bool put(struct bytes *b, const void *p, size_t n)
{
	if (n == 0)	/* an empty string or array: p may be NULL */
		return true;
	if (b->cap - b->n < n) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *q;

		while (cap - b->n < n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return false;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return true;
}

static bool put_u32(struct bytes *b, uint32_t v)
{
	return put(b, &v, sizeof(v));
}

static bool put_u64(struct bytes *b, uint64_t v)
{
	return put(b, &v, sizeof(v));
}

static bool put_str(struct bytes *b, const char *s, size_t len)
{
	return put_u64(b, len) && put(b, s, len);
}

static ea_status no_memory(struct ea_gguf_writer *w)
{
	return ea_error_set(&w->error, EA_ERR_NO_MEMORY, "%s: out of memory", w->path);
}

static bool seen(char *const *names, uint64_t n, const char *name)
{
	for (uint64_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* The key and value type of a new pair; refuses a key given twice or late. */
static ea_status begin_kv(struct ea_gguf_writer *w, const char *key, enum ea_gguf_vtype type)
{
	char **keys;

	if (!key || !*key)
		return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT, "%s: empty key", w->path);
	if (w->header_written)
		return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT,
				    "%s: key %s after the tensor data began", w->path, key);
	if (seen(w->keys, w->n_kv, key))
		return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT, "%s: key %s given twice",
				    w->path, key);
	keys = realloc(w->keys, (w->n_kv + 1) * sizeof(*keys));
	if (!keys)
		return no_memory(w);
	w->keys = keys;
	keys[w->n_kv] = strdup(key);
	if (!keys[w->n_kv] || !put_str(&w->kv, key, strlen(key)) || !put_u32(&w->kv, type))
		return no_memory(w);
	w->n_kv++;
	return EA_OK;
}

static ea_status kv_scalar(struct ea_gguf_writer *w, const char *key, enum ea_gguf_vtype type,
			   const void *v, size_t size)
{
	ea_status status = begin_kv(w, key, type);

	if (status == EA_OK && !put(&w->kv, v, size))
		status = no_memory(w);
	return status;
}

ea_status ea_gguf_writer_u32(struct ea_gguf_writer *w, const char *key, uint32_t v)
{
	return kv_scalar(w, key, EA_GGUF_U32, &v, sizeof(v));
}

ea_status ea_gguf_writer_i32(struct ea_gguf_writer *w, const char *key, int32_t v)
{
	return kv_scalar(w, key, EA_GGUF_I32, &v, sizeof(v));
}

ea_status ea_gguf_writer_f32(struct ea_gguf_writer *w, const char *key, float v)
{
	return kv_scalar(w, key, EA_GGUF_F32, &v, sizeof(v));
}

ea_status ea_gguf_writer_bool(struct ea_gguf_writer *w, const char *key, bool v)
{
	uint8_t b = v;

	return kv_scalar(w, key, EA_GGUF_BOOL, &b, 1);
}

ea_status ea_gguf_writer_str(struct ea_gguf_writer *w, const char *key, const char *v)
{
	ea_status status = begin_kv(w, key, EA_GGUF_STRING);

	if (status == EA_OK && !put_str(&w->kv, v, strlen(v)))
		status = no_memory(w);
	return status;
}

static ea_status kv_array(struct ea_gguf_writer *w, const char *key, enum ea_gguf_vtype type,
			  const void *v, size_t n, size_t size)
{
	ea_status status = begin_kv(w, key, EA_GGUF_ARRAY);

	if (status == EA_OK && !(put_u32(&w->kv, type) && put_u64(&w->kv, n) &&
				 put(&w->kv, v, n * size)))
		status = no_memory(w);
	return status;
}

ea_status ea_gguf_writer_arr_str(struct ea_gguf_writer *w, const char *key,
				 const char *const *v, const size_t *lens, size_t n)
{
	ea_status status = kv_array(w, key, EA_GGUF_STRING, NULL, n, 0);

	for (size_t i = 0; i < n && status == EA_OK; i++)
		if (!put_str(&w->kv, v[i], lens ? lens[i] : strlen(v[i])))
			status = no_memory(w);
	return status;
}

ea_status ea_gguf_writer_arr_i32(struct ea_gguf_writer *w, const char *key, const int32_t *v,
				 size_t n)
{
	return kv_array(w, key, EA_GGUF_I32, v, n, sizeof(*v));
}

ea_status ea_gguf_writer_arr_f32(struct ea_gguf_writer *w, const char *key, const float *v,
				 size_t n)
{
	return kv_array(w, key, EA_GGUF_F32, v, n, sizeof(*v));
}

static uint64_t align_up(uint64_t v, uint32_t alignment)
{
	return (v + alignment - 1) / alignment * alignment;
}

static ea_status check_tensor(struct ea_gguf_writer *w, const char *name, enum ea_type type,
			      uint32_t n_dims, const uint64_t *ne)
{
	if (w->header_written)
		return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT,
				    "%s: tensor %s after the data began", w->path, name);
	if (!name || !*name || strlen(name) > 64)
		return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT,
				    "%s: a tensor name must have 1 to 64 bytes", w->path);
	if (!ea_type_valid(type) || n_dims < 1 || n_dims > EA_GGUF_MAX_DIMS ||
	    !ea_type_row_bytes(type, ne[0]))
		return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT,
				    "%s: tensor %s: bad type, dims or row length", w->path, name);
	for (uint64_t i = 0; i < w->n_tensors; i++)
		if (strcmp(w->tensors[i].name, name) == 0)
			return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT,
					    "%s: tensor %s declared twice", w->path, name);
	return EA_OK;
}

ea_status ea_gguf_writer_tensor(struct ea_gguf_writer *w, const char *name, enum ea_type type,
				uint32_t n_dims, const uint64_t *ne)
{
	ea_status status = check_tensor(w, name, type, n_dims, ne);
	struct tensor_info *t;
	uint64_t rows = 1;

	if (status != EA_OK)
		return status;
	t = realloc(w->tensors, (w->n_tensors + 1) * sizeof(*t));
	if (!t)
		return no_memory(w);
	w->tensors = t;
	t += w->n_tensors;
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		return no_memory(w);
	t->type = type;
	t->n_dims = n_dims;
	for (uint32_t d = 0; d < EA_GGUF_MAX_DIMS; d++) {
		t->ne[d] = d < n_dims ? ne[d] : 1;
		if (d > 0)
			rows *= t->ne[d];
	}
	t->nbytes = ea_type_row_bytes(type, ne[0]) * rows;
	t->offset = w->data_bytes;
	w->data_bytes = align_up(w->data_bytes + t->nbytes, w->alignment);
	w->n_tensors++;
	return EA_OK;
}

static ea_status write_out(struct ea_gguf_writer *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		return ea_error_set(&w->error, EA_ERR_IO, "%s: write: %s", w->path, strerror(errno));
	return EA_OK;
}

static ea_status write_padding(struct ea_gguf_writer *w, uint64_t n)
{
	static const uint8_t zeros[64];
	ea_status status = EA_OK;

	while (n && status == EA_OK) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);

		status = write_out(w, zeros, k);
		n -= k;
	}
	return status;
}

static uint64_t header_bytes(const struct ea_gguf_writer *w)
{
	uint64_t n = 4 + 4 + 8 + 8 + w->kv.n;

	for (uint64_t i = 0; i < w->n_tensors; i++)
		n += 8 + strlen(w->tensors[i].name) + 4 + 8 * w->tensors[i].n_dims + 4 + 8;
	return align_up(n, w->alignment);
}

static ea_status write_header(struct ea_gguf_writer *w)
{
	struct bytes h = { 0 };
	bool ok = put(&h, EA_GGUF_MAGIC, 4) && put_u32(&h, GGUF_VERSION) &&
		  put_u64(&h, w->n_tensors) && put_u64(&h, w->n_kv) && put(&h, w->kv.p, w->kv.n);
	ea_status status;

	for (uint64_t i = 0; ok && i < w->n_tensors; i++) {
		const struct tensor_info *t = &w->tensors[i];

		ok = put_str(&h, t->name, strlen(t->name)) && put_u32(&h, t->n_dims);
		for (uint32_t d = 0; ok && d < t->n_dims; d++)
			ok = put_u64(&h, t->ne[d]);
		ok = ok && put_u32(&h, t->type) && put_u64(&h, t->offset);
	}
	if (!ok) {
		free(h.p);
		return no_memory(w);
	}
	status = write_out(w, h.p, h.n);
	if (status == EA_OK)
		status = write_padding(w, align_up(h.n, w->alignment) - h.n);
	free(h.p);
	w->header_written = true;
	return status;
}

uint64_t ea_gguf_writer_total_bytes(const struct ea_gguf_writer *w)
{
	return header_bytes(w) + w->data_bytes;
}

/* Past a tensor's last byte: pad to the next one's offset. */
static ea_status end_tensors(struct ea_gguf_writer *w)
{
	ea_status status = EA_OK;

	while (status == EA_OK && w->current < w->n_tensors &&
	       w->written == w->tensors[w->current].nbytes) {
		const struct tensor_info *t = &w->tensors[w->current];

		status = write_padding(w, align_up(t->offset + t->nbytes, w->alignment) -
					  (t->offset + t->nbytes));
		w->current++;
		w->written = 0;
	}
	return status;
}

ea_status ea_gguf_writer_data(struct ea_gguf_writer *w, const void *bytes, size_t n)
{
	ea_status status = EA_OK;

	if (!w->header_written)
		status = write_header(w);
	if (status == EA_OK)
		status = end_tensors(w);	/* tensors of no bytes cannot exist, but be exact */
	if (status != EA_OK)
		return status;
	if (w->current >= w->n_tensors || n > w->tensors[w->current].nbytes - w->written)
		return ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT,
				    "%s: %zu bytes of data beyond the declared tensors", w->path, n);
	status = write_out(w, bytes, n);
	w->written += n;
	return status == EA_OK ? end_tensors(w) : status;
}

ea_status ea_gguf_writer_open(const char *path, uint32_t alignment, struct ea_gguf_writer **out,
			      struct ea_error *err)
{
	struct ea_gguf_writer *w;

	if (!path || !out)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_gguf_writer_open: %s is NULL",
				    out ? "the path" : "the writer's pointer");
	if (alignment & (alignment - 1))
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "%s: alignment %u is not a power of two", path, alignment);
	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path))) {
		free(w);
		return ea_error_set(err, EA_ERR_NO_MEMORY, "%s: out of memory", path);
	}
	w->alignment = alignment ? alignment : EA_GGUF_DEFAULT_ALIGNMENT;
	w->f = fopen(path, "wb");
	if (!w->f) {
		ea_error_set(err, EA_ERR_IO, "%s: %s", path, strerror(errno));
		free(w->path);
		free(w);
		return EA_ERR_IO;
	}
	setvbuf(w->f, NULL, _IOFBF, WRITE_BUFFER);
	*out = w;
	if (ea_gguf_writer_u32(w, "general.alignment", w->alignment) != EA_OK) {
		*err = w->error;
		ea_gguf_writer_abort(w);
		*out = NULL;
		return EA_ERR_NO_MEMORY;
	}
	return EA_OK;
}

static void free_writer(struct ea_gguf_writer *w)
{
	for (uint64_t i = 0; i < w->n_kv; i++)
		free(w->keys[i]);
	for (uint64_t i = 0; i < w->n_tensors; i++)
		free(w->tensors[i].name);
	free(w->keys);
	free(w->tensors);
	free(w->kv.p);
	free(w->path);
	free(w);
}

ea_status ea_gguf_writer_finish(struct ea_gguf_writer *w, struct ea_error *err)
{
	ea_status status = EA_OK;

	if (!w->header_written)
		status = write_header(w);
	if (status == EA_OK)
		status = end_tensors(w);
	if (status == EA_OK && w->current < w->n_tensors)
		status = ea_error_set(&w->error, EA_ERR_INVALID_ARGUMENT,
				      "%s: tensor %s got %llu of its %llu bytes", w->path,
				      w->tensors[w->current].name, (unsigned long long)w->written,
				      (unsigned long long)w->tensors[w->current].nbytes);
	if (fclose(w->f) != 0 && status == EA_OK)
		status = ea_error_set(&w->error, EA_ERR_IO, "%s: close: %s", w->path,
				      strerror(errno));
	if (status != EA_OK) {
		*err = w->error;
		unlink(w->path);
	}
	free_writer(w);
	return status;
}

void ea_gguf_writer_abort(struct ea_gguf_writer *w)
{
	if (!w)
		return;
	fclose(w->f);
	unlink(w->path);
	free_writer(w);
}

const char *ea_gguf_writer_error(const struct ea_gguf_writer *w)
{
	return w->error.msg;
}
