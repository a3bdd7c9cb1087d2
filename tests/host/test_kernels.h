/* SPDX-License-Identifier: MIT */
/*
 * test_kernels.h - what the kernel tests share: a device with both builds of
 * the kernels (shared-memory reductions, and subgroup ones where the device
 * has them), buffers filled from host arrays, one-op recordings, random
 * data, and tolerance checks against the CPU reference (ea_ref.h).
 */
#ifndef TEST_KERNELS_H
#define TEST_KERNELS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ea_device.h"
#include "ea_kernels.h"
#include "ea_model.h"
#include "ea_op_table.h"
#include "ea_quant.h"
#include "ea_ref.h"
#include "ea_tap.h"
#include "ea_vk_ops.h"

struct fixture {
	struct ea_device *dev;
	struct ea_vk *vk;
	struct ea_error err;
	struct ea_vk_ops variants[2];	/* the float matvec (int8_dot off) */
	const char *variant_names[2];
	int n_variants;
	bool int8_dot;		/* the device has packed int8 dot products */
};

/* Record one op of the table (ea_op_table.h): @opcode on weights of @type
 * over @spans, with the arguments (floats as ea_op_f32()), as an executor
 * records a command stream's op. */
static inline ea_status record_op(struct ea_vk_ops *ops, struct ea_vk_rec *rec, uint32_t opcode,
				  uint32_t type, const struct ea_vk_span *spans,
				  const uint32_t *args, size_t n_args)
{
	struct ea_cs_op op = ea_op_make(opcode, type, args, (int)n_args);

	return ea_op_record(ops, rec, &op, spans);
}

#define SPANS(...) ((const struct ea_vk_span[EA_CS_MAX_REFS]){ __VA_ARGS__ })
#define OP(ops, rec, opcode, type, spans, ...)						\
	record_op(ops, rec, opcode, type, spans,						\
		  (const uint32_t[]){ __VA_ARGS__ },						\
		  sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static inline bool fixture_open(struct tap *t, struct fixture *fx)
{
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	char why[1024];
	ea_status status;

	unsetenv("EDGEAI_VK_DEVICE");
	memset(fx, 0, sizeof(*fx));
	status = ea_open(&options, &fx->dev, why, sizeof(why));
	if (status == EA_OK)
		status = ea_device_need_vk(fx->dev);
	if (!tap_ok(t, status == EA_OK, "ea_open in direct mode with Vulkan")) {
		tap_diag("%s: %s", ea_strerror(status), status == EA_OK ? "" : why);
		return false;
	}
	fx->vk = fx->dev->vk;
	tap_diag("Vulkan device: %s, subgroup size %u, subgroup arithmetic: %s",
		 ea_device_info(fx->dev)->vk_name, ea_device_info(fx->dev)->subgroup_size,
		 ea_vk_has_subgroup_arithmetic(fx->vk) ? "yes" : "no");
	ea_vk_ops_init(&fx->variants[0], fx->vk, EA_VK_VARIANT_SHARED, &fx->err);
	fx->variant_names[0] = "shared";
	fx->n_variants = 1;
	if (ea_vk_ops_init(&fx->variants[1], fx->vk, EA_VK_VARIANT_SUBGROUP, &fx->err) == EA_OK) {
		fx->variant_names[1] = "subgroup";
		fx->n_variants = 2;
	}
	/* The float kernels here; the int8-dot matvec has its own tests. */
	fx->variants[0].int8_dot = fx->variants[1].int8_dot = false;
	{
		bool accelerated;

		fx->int8_dot = ea_vk_has_int8_dot(fx->vk, &accelerated);
		tap_diag("packed int8 dot products: %s, accelerated: %s",
			 fx->int8_dot ? "yes" : "no", accelerated ? "yes" : "no");
	}
	return true;
}

static inline void fixture_close(struct fixture *fx)
{
	ea_close(fx->dev);
}

/* A buffer of @bytes (rounded up to a word, the padding zeroed) holding @data
 * when it is not NULL. */
static inline struct ea_vk_buffer *upload(struct fixture *fx, const void *data, size_t bytes)
{
	struct ea_vk_buffer *buf = calloc(1, sizeof(*buf));
	size_t size = (bytes + 3) & ~(size_t)3;

	if (!buf || ea_vk_buffer_create(fx->vk, size ? size : 4, buf, &fx->err) != EA_OK) {
		tap_diag("buffer of %zu bytes: %s", bytes, fx->err.msg);
		free(buf);
		return NULL;
	}
	memset(buf->map, 0, buf->size);
	if (data)
		memcpy(buf->map, data, bytes);
	return buf;
}

static inline void release(struct fixture *fx, struct ea_vk_buffer *buf)
{
	if (buf) {
		ea_vk_buffer_destroy(fx->vk, buf);
		free(buf);
	}
}

/* Start a recording; end_and_run() ends it, runs it once and frees it. */
static inline bool begin(struct fixture *fx, struct ea_vk_rec *rec)
{
	if (ea_vk_rec_begin(fx->vk, rec, &fx->err) == EA_OK)
		return true;
	tap_diag("%s", fx->err.msg);
	return false;
}

static inline bool end_and_run(struct fixture *fx, struct ea_vk_rec *rec, ea_status recorded)
{
	ea_status status = recorded;

	if (status == EA_OK)
		status = ea_vk_rec_end(rec, &fx->err);
	if (status == EA_OK)
		status = ea_vk_rec_submit(rec, &fx->err);
	if (status != EA_OK)
		tap_diag("%s: %s", ea_strerror(status), fx->err.msg);
	ea_vk_rec_destroy(rec);
	return status == EA_OK;
}

static inline uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Uniform in [-1, 1). */
static inline void random_floats(float *x, size_t n, uint64_t seed)
{
	uint64_t state = seed | 1;

	for (size_t i = 0; i < n; i++)
		x[i] = (float)(next_random(&state) >> 40) * 0x1p-23f - 1.0f;
}

/*
 * Whether every got[i] is within tol * scale[i] of want[i] (scale NULL: 1),
 * reporting the worst one.
 */
static inline bool within(const float *got, const float *want, const float *scale, size_t n,
			  double tol)
{
	double worst = 0.0;
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		double err = fabs((double)got[i] - (double)want[i]) /
			     (scale ? fmax((double)scale[i], 1e-30) : 1.0);

		if (!(err <= worst) || isnan(got[i])) {
			worst = isnan(got[i]) ? INFINITY : err;
			at = i;
		}
	}
	if (worst > tol)
		tap_diag("worst at %zu: got %.9g, want %.9g (error %.3g, tolerance %.3g)", at,
			 (double)got[at], (double)want[at], worst, tol);
	return worst <= tol;
}

#endif /* TEST_KERNELS_H */
