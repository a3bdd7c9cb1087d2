// SPDX-License-Identifier: MIT
/* ea_vk_ops - record the engine's kernels; see ea_vk_ops.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_vk_info.h"
#include "ea_vk_ops.h"

/* Workgroup sizes and tiles of the shaders, which the dispatches must match. */
#define MATVEC_ROWS 8		/* matvec_head.glsl */
#define I8_ROWS 2		/* matvec_q{4,8}_0_i8.comp: MATVEC_ROWS */
#define MATMUL_TILE 32		/* matmul_head.glsl */
#define MATMUL_CPU_ROWS 32	/* matmul_cpu_main.glsl: CPU_LANES x CPU_ROWS a workgroup */
#define MATMUL_CPU_TOKENS 32	/* matmul_cpu_main.glsl: CPU_TOKENS */
#define ELEMENTWISE_WG 256	/* embed, rope, swiglu, add, store_rows */
#define MAX_HEAD_DIM 256	/* attention.comp */

/* The push constants of each shader, field for field. */
struct matvec_params { uint32_t rows, cols, flags; float eps; };
struct matmul_params { uint32_t rows, cols, n_tokens; };
struct embed_params { uint32_t cols, n_tokens; };
struct rmsnorm_params { uint32_t n; float eps; };
struct softmax_params { uint32_t n; };
struct rope_params { uint32_t n_heads, head_dim, n_tokens, mode; float freq_base; };
struct swiglu_params { uint32_t n, n_rows; };
struct rope_store_params {
	uint32_t n_heads, n_kv_heads, head_dim, n_tokens, mode;
	float freq_base;
	uint32_t cache_rows;
};
struct last_row_params { uint32_t n, n_rows; };
struct add_params { uint32_t n, n_b; };
struct score_rows_params { uint32_t n, n_rows, n_out; };
struct token_nll_params { uint32_t n_vocab, n_rows, n_tokens; };
struct argmax_params { uint32_t n; };
struct store_rows_params { uint32_t n, n_tokens; };
struct attention_params {
	uint32_t n_heads, n_kv_heads, head_dim, split_len, n_splits;
	float scale;
};
struct combine_params { uint32_t head_dim, n_splits, n_heads, split_len; };
struct attention_cpu_params { uint32_t n_heads, n_kv_heads, n_tokens; float scale; };

bool ea_vk_has_subgroup_arithmetic(const struct ea_vk *vk)
{
	VkPhysicalDeviceSubgroupProperties subgroup = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 props = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &subgroup,
	};
	const VkSubgroupFeatureFlags need = VK_SUBGROUP_FEATURE_BASIC_BIT |
					    VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;

	vkGetPhysicalDeviceProperties2(vk->physical, &props);
	return (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
	       (subgroup.supportedOperations & need) == need;
}

bool ea_vk_can_cpu_shape(const struct ea_vk *vk)
{
	VkPhysicalDeviceSubgroupProperties subgroup = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 props = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &subgroup,
	};
	const VkSubgroupFeatureFlags need = VK_SUBGROUP_FEATURE_BASIC_BIT |
					    VK_SUBGROUP_FEATURE_ARITHMETIC_BIT |
					    VK_SUBGROUP_FEATURE_BALLOT_BIT;

	vkGetPhysicalDeviceProperties2(vk->physical, &props);
	return (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
	       (subgroup.supportedOperations & need) == need &&
	       subgroup.subgroupSize >= EA_VK_CPU_LANES;
}

bool ea_vk_is_cpu(const struct ea_vk *vk)
{
	VkPhysicalDeviceProperties props;

	vkGetPhysicalDeviceProperties(vk->physical, &props);
	return props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

bool ea_vk_has_int8_dot(const struct ea_vk *vk, bool *accelerated)
{
	struct ea_device_info info;

	memset(&info, 0, sizeof(info));
	ea_vk_query_info(vk->physical, 0, &info);	/* what ea_vk_open() enabled */
	if (accelerated)
		*accelerated = info.int8_dot_product && info.int8_dot_product_accelerated;
	return info.int8_dot_product;
}

ea_status ea_vk_ops_init(struct ea_vk_ops *ops, struct ea_vk *vk, enum ea_vk_variant variant,
			 struct ea_error *err)
{
	bool has_subgroup = ea_vk_has_subgroup_arithmetic(vk);
	const char *mode = getenv("EDGEAI_MATVEC");
	const char *prompt_kernels = getenv("EDGEAI_PROMPT_KERNELS");
	bool accelerated;
	bool has_dot = ea_vk_has_int8_dot(vk, &accelerated);

	ops->vk = vk;
	ops->err = err;
	if (mode && strcmp(mode, "int8") == 0)
		ops->int8_dot = has_dot;
	else if (mode && strcmp(mode, "float") == 0)
		ops->int8_dot = false;
	else
		ops->int8_dot = accelerated;
	if (prompt_kernels && strcmp(prompt_kernels, "cpu") == 0)
		ops->cpu_shape = ea_vk_can_cpu_shape(vk);
	else if (prompt_kernels && strcmp(prompt_kernels, "gpu") == 0)
		ops->cpu_shape = false;
	else
		ops->cpu_shape = ea_vk_is_cpu(vk) && ea_vk_can_cpu_shape(vk);
	if (variant == EA_VK_VARIANT_SUBGROUP && !has_subgroup)
		return ea_error_set(err, EA_ERR_UNSUPPORTED,
				    "the subgroup kernels need subgroup arithmetic in compute "
				    "shaders, which this device lacks");
	ops->subgroup = variant == EA_VK_VARIANT_SUBGROUP ||
			(variant == EA_VK_VARIANT_AUTO && has_subgroup);
	return EA_OK;
}

/* The kernel @base (its _sg build when @has_variant and ops->subgroup). */
static ea_status get_kernel(struct ea_vk_ops *ops, const char *base, bool has_variant,
			    uint32_t n_buffers, uint32_t push_size, struct ea_vk_kernel **out)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", base, has_variant && ops->subgroup ? "_sg" : "");
	return ea_vk_kernel_get(ops->vk, name, n_buffers, push_size, out, ops->err);
}

/* The kernel @op_type for tensor type @type, such as matvec_q4_0. */
static ea_status get_typed_kernel(struct ea_vk_ops *ops, const char *op, enum ea_type type,
				  bool has_variant, uint32_t n_buffers, uint32_t push_size,
				  struct ea_vk_kernel **out)
{
	char base[48];

	snprintf(base, sizeof(base), "%s_%s", op, ea_type_name(type));
	return get_kernel(ops, base, has_variant, n_buffers, push_size, out);
}

/* Fail unless @span holds @bytes bytes. */
static ea_status need_bytes(struct ea_vk_ops *ops, const char *op, const char *what,
			    struct ea_vk_span span, uint64_t bytes)
{
	if (!span.buf || span.offset > span.buf->size)
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "%s: no buffer for %s",
				    op, what);
	if (ea_vk_span_bytes(span) < bytes)
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				    "%s: %s needs %llu bytes, its span has %llu", op, what,
				    (unsigned long long)bytes,
				    (unsigned long long)ea_vk_span_bytes(span));
	return EA_OK;
}

static ea_status need_floats(struct ea_vk_ops *ops, const char *op, const char *what,
			     struct ea_vk_span span, uint64_t n)
{
	return need_bytes(ops, op, what, span, n * sizeof(float));
}

/* Bytes of @rows rows of @cols values of @type, rounded up to whole words
 * (the kernels read 32-bit words); 0 when cols is not a multiple of the block. */
static uint64_t weight_bytes(enum ea_type type, uint32_t rows, uint32_t cols)
{
	uint64_t row = ea_type_valid(type) ? ea_type_row_bytes(type, cols) : 0;

	return ((uint64_t)rows * row + 3) & ~(uint64_t)3;
}

static ea_status check_weights(struct ea_vk_ops *ops, const char *op, enum ea_type type,
			       struct ea_vk_span w, uint32_t rows, uint32_t cols)
{
	if (!ea_type_valid(type) || rows == 0 || cols == 0 ||
	    ea_type_row_bytes(type, cols) == 0)
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				    "%s: %u x %u weights of type %s: a type edgeai supports and "
				    "cols a non-zero multiple of its block are needed",
				    op, rows, cols, ea_type_name(type));
	return need_bytes(ops, op, "the weights", w, weight_bytes(type, rows, cols));
}

/* @n workgroups as x by y, x within the device's limit: the kernels number
 * their workgroups y * num_x + x and ignore those past the end. */
static void linear_groups(const struct ea_vk_ops *ops, uint64_t n, uint32_t *x, uint32_t *y)
{
	uint64_t max_x = ops->vk->limits.maxComputeWorkGroupCount[0];

	*x = (uint32_t)(n < max_x ? n : max_x);
	*y = (uint32_t)((n + *x - 1) / *x);
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* A flat kernel of @n invocations (ELEMENTWISE_WG per workgroup). */
static ea_status dispatch_flat(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
			       struct ea_vk_kernel *kernel, const struct ea_vk_span *spans,
			       const void *push, uint64_t n)
{
	uint32_t x, y;

	if (n > UINT32_MAX)
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				    "%s: %llu values, more than one dispatch indexes", kernel->name,
				    (unsigned long long)n);
	linear_groups(ops, div_up(n, ELEMENTWISE_WG), &x, &y);
	return ea_vk_rec_dispatch(rec, kernel, spans, push, x, y, ops->err);
}

/* The int8 matvec's x: per unit of 16 values an int8 uvec4, then (at the
 * next XQ_ALIGN bytes) a vec2 of scales per unit and one for all
 * (quantize_x_main.glsl). */
#define XQ_ALIGN 256
#define XQ_UNIT_BYTES 16
#define XQ_SCALE_BYTES 8

static VkDeviceSize xq_scales_at(uint32_t cols)
{
	return div_up((uint64_t)cols / 16 * XQ_UNIT_BYTES, XQ_ALIGN) * XQ_ALIGN;
}

VkDeviceSize ea_vk_matvec_xq_bytes(uint32_t cols)
{
	return xq_scales_at(cols) + ((VkDeviceSize)cols / 16 + 1) * XQ_SCALE_BYTES;
}

/* The int8 values and the scales of @xq, as the kernels bind them. */
static void xq_spans(struct ea_vk_span xq, uint32_t cols, struct ea_vk_span *q,
		     struct ea_vk_span *d)
{
	*q = (struct ea_vk_span){ .buf = xq.buf, .offset = xq.offset,
				  .size = (VkDeviceSize)cols / 16 * XQ_UNIT_BYTES };
	*d = (struct ea_vk_span){ .buf = xq.buf, .offset = xq.offset + xq_scales_at(cols),
				  .size = ((VkDeviceSize)cols / 16 + 1) * XQ_SCALE_BYTES };
}

static bool is_i8_type(enum ea_type type)
{
	return type == EA_TYPE_Q4_0 || type == EA_TYPE_Q8_0;
}

struct quantize_params { uint32_t cols, flags; float eps; };

ea_status ea_vk_op_quantize_x(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			      struct ea_vk_span x, struct ea_vk_span norm, struct ea_vk_span xq,
			      uint32_t cols, uint32_t flags, float eps)
{
	struct quantize_params params = { cols, flags, eps };
	struct ea_vk_span spans[4] = { x, flags & EA_VK_MV_NORM ? norm : x };
	struct ea_vk_kernel *kernel;
	char name[32];
	ea_status status = EA_OK;

	if (!is_i8_type(type) || cols == 0 || cols % 32 || flags & ~EA_VK_MV_NORM)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "quantize_x: %u values "
				      "(a multiple of 32) for %s weights (q4_0 or q8_0), flags "
				      "%#x", cols, ea_type_name(type), flags);
	if (status == EA_OK)
		status = need_floats(ops, "quantize_x", "x", x, cols);
	if (status == EA_OK && (flags & EA_VK_MV_NORM))
		status = need_floats(ops, "quantize_x", "the norm weight", norm, cols);
	if (status == EA_OK)
		status = need_bytes(ops, "quantize_x", "the int8 x", xq,
				    ea_vk_matvec_xq_bytes(cols));
	if (status != EA_OK)
		return status;
	xq_spans(xq, cols, &spans[2], &spans[3]);
	snprintf(name, sizeof(name), "quantize_x_%s", ea_type_name(type));
	status = get_kernel(ops, name, true, 4, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return ea_vk_rec_dispatch(rec, kernel, spans, &params, 1, 1, ops->err);
}

/* Whether a matvec of @type runs on an _i8 kernel: with @xq to quantize x into. */
static bool use_int8(const struct ea_vk_ops *ops, enum ea_type type, struct ea_vk_span xq)
{
	return ops->int8_dot && is_i8_type(type) && xq.buf;
}

static ea_status matvec_i8(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			   struct ea_vk_span w, struct ea_vk_span x, struct ea_vk_span y,
			   struct ea_vk_span norm, struct ea_vk_span xq,
			   const struct matvec_params *params)
{
	struct ea_vk_span spans[4] = { w, { 0 }, y };
	bool swiglu = params->flags & EA_VK_MV_SWIGLU;
	struct ea_vk_kernel *kernel;
	char name[32];
	uint32_t gx, gy;
	ea_status status;

	status = ea_vk_op_quantize_x(ops, rec, type, x, norm, xq, params->cols,
				     params->flags & EA_VK_MV_NORM, params->eps);
	if (status != EA_OK)
		return status;
	if (rec->manual_barriers)	/* the matvec reads what the quantization wrote */
		ea_vk_rec_barrier(rec);
	xq_spans(xq, params->cols, &spans[1], &spans[3]);
	snprintf(name, sizeof(name), "matvec_%s_i8", ea_type_name(type));
	status = get_kernel(ops, name, true, 4, sizeof(*params), &kernel);
	if (status != EA_OK)
		return status;
	linear_groups(ops, div_up(params->rows, swiglu ? I8_ROWS / 2 : I8_ROWS), &gx, &gy);
	return ea_vk_rec_dispatch(rec, kernel, spans, params, gx, gy, ops->err);
}

ea_status ea_vk_op_matvec_ex(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			     struct ea_vk_span w, struct ea_vk_span x, struct ea_vk_span y,
			     struct ea_vk_span norm, struct ea_vk_span xq, uint32_t rows,
			     uint32_t cols, uint32_t flags, float eps)
{
	struct matvec_params params = { rows, cols, flags, eps };
	bool swiglu = flags & EA_VK_MV_SWIGLU;
	struct ea_vk_span spans[] = { w, x, y, flags & EA_VK_MV_NORM ? norm : x };
	struct ea_vk_kernel *kernel;
	uint32_t gx, gy;
	ea_status status = EA_OK;

	if (flags & ~(EA_VK_MV_NORM | EA_VK_MV_ACC | EA_VK_MV_SWIGLU) ||
	    (swiglu && (uint64_t)rows * 2 > UINT32_MAX))
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "matvec: flags %#x", flags);
	if (status == EA_OK)
		status = check_weights(ops, "matvec", type, w, swiglu ? rows * 2 : rows, cols);
	if (status == EA_OK)
		status = need_floats(ops, "matvec", "x", x, cols);
	if (status == EA_OK)
		status = need_floats(ops, "matvec", "y", y, rows);
	if (status == EA_OK && (flags & EA_VK_MV_NORM))
		status = need_floats(ops, "matvec", "the norm weight", norm, cols);
	if (status == EA_OK && use_int8(ops, type, xq))
		return matvec_i8(ops, rec, type, w, x, y, norm, xq, &params);
	if (status == EA_OK)
		status = get_typed_kernel(ops, "matvec", type, true, 4, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	linear_groups(ops, div_up(rows, swiglu ? MATVEC_ROWS / 2 : MATVEC_ROWS), &gx, &gy);
	return ea_vk_rec_dispatch(rec, kernel, spans, &params, gx, gy, ops->err);
}

ea_status ea_vk_op_matvec(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			  struct ea_vk_span w, struct ea_vk_span x, struct ea_vk_span y,
			  uint32_t rows, uint32_t cols)
{
	return ea_vk_op_matvec_ex(ops, rec, type, w, x, y, x, (struct ea_vk_span){ 0 }, rows,
				  cols, 0, 0.0f);
}

ea_status ea_vk_op_matmul(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			  struct ea_vk_span w, struct ea_vk_span x, struct ea_vk_span y,
			  uint32_t rows, uint32_t cols, uint32_t n_tokens)
{
	struct matmul_params params = { rows, cols, n_tokens };
	struct ea_vk_span spans[] = { w, x, y };
	struct ea_vk_kernel *kernel;
	char name[32];
	ea_status status;

	snprintf(name, sizeof(name), "matmul_%s%s", ea_type_name(type),
		 ops->cpu_shape ? "_cpu" : "");
	status = check_weights(ops, "matmul", type, w, rows, cols);
	if (status == EA_OK && n_tokens == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "matmul: no tokens");
	if (status == EA_OK)
		status = need_floats(ops, "matmul", "X", x, (uint64_t)cols * n_tokens);
	if (status == EA_OK)
		status = need_floats(ops, "matmul", "Y", y, (uint64_t)rows * n_tokens);
	if (status == EA_OK)
		status = get_kernel(ops, name, false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	if (ops->cpu_shape)
		return ea_vk_rec_dispatch(rec, kernel, spans, &params,
					  (uint32_t)div_up(rows, MATMUL_CPU_ROWS),
					  (uint32_t)div_up(n_tokens, MATMUL_CPU_TOKENS), ops->err);
	return ea_vk_rec_dispatch(rec, kernel, spans, &params, (uint32_t)div_up(rows, MATMUL_TILE),
				  (uint32_t)div_up(n_tokens, MATMUL_TILE), ops->err);
}

ea_status ea_vk_op_embed(struct ea_vk_ops *ops, struct ea_vk_rec *rec, enum ea_type type,
			 struct ea_vk_span table, struct ea_vk_span ids, struct ea_vk_span out,
			 uint32_t cols, uint32_t n_tokens)
{
	struct embed_params params = { cols, n_tokens };
	struct ea_vk_span spans[] = { table, ids, out };
	struct ea_vk_kernel *kernel;
	ea_status status;

	status = check_weights(ops, "embed", type, table, 1, cols);
	if (status == EA_OK && n_tokens == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "embed: no tokens");
	if (status == EA_OK)
		status = need_bytes(ops, "embed", "the token ids", ids,
				    (uint64_t)n_tokens * sizeof(uint32_t));
	if (status == EA_OK)
		status = need_floats(ops, "embed", "out", out, (uint64_t)cols * n_tokens);
	if (status == EA_OK)
		status = get_typed_kernel(ops, "embed", type, false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, (uint64_t)cols * n_tokens);
}

/* A kernel with one workgroup per row: n_rows within the device's limit. */
static ea_status check_rows(struct ea_vk_ops *ops, const char *op, uint32_t n, uint32_t n_rows)
{
	if (n == 0 || n_rows == 0 || n_rows > ops->vk->limits.maxComputeWorkGroupCount[0])
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				    "%s: %u rows of %u values (1 to %u rows of at least one)", op,
				    n_rows, n, ops->vk->limits.maxComputeWorkGroupCount[0]);
	return EA_OK;
}

ea_status ea_vk_op_rmsnorm(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			   struct ea_vk_span weight, struct ea_vk_span out, uint32_t n,
			   uint32_t n_rows, float eps)
{
	struct rmsnorm_params params = { n, eps };
	struct ea_vk_span spans[] = { x, weight, out };
	struct ea_vk_kernel *kernel;
	ea_status status;

	status = check_rows(ops, "rmsnorm", n, n_rows);
	if (status == EA_OK)
		status = need_floats(ops, "rmsnorm", "x", x, (uint64_t)n * n_rows);
	if (status == EA_OK)
		status = need_floats(ops, "rmsnorm", "the weight", weight, n);
	if (status == EA_OK)
		status = need_floats(ops, "rmsnorm", "out", out, (uint64_t)n * n_rows);
	if (status == EA_OK)
		status = get_kernel(ops, "rmsnorm", true, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return ea_vk_rec_dispatch(rec, kernel, spans, &params, n_rows, 1, ops->err);
}

ea_status ea_vk_op_softmax(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			   struct ea_vk_span out, uint32_t n, uint32_t n_rows)
{
	struct softmax_params params = { n };
	struct ea_vk_span spans[] = { x, out };
	struct ea_vk_kernel *kernel;
	ea_status status;

	status = check_rows(ops, "softmax", n, n_rows);
	if (status == EA_OK)
		status = need_floats(ops, "softmax", "x", x, (uint64_t)n * n_rows);
	if (status == EA_OK)
		status = need_floats(ops, "softmax", "out", out, (uint64_t)n * n_rows);
	if (status == EA_OK)
		status = get_kernel(ops, "softmax", true, 2, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return ea_vk_rec_dispatch(rec, kernel, spans, &params, n_rows, 1, ops->err);
}

static ea_status need_step(struct ea_vk_ops *ops, const char *op, struct ea_vk_span step)
{
	return need_bytes(ops, op, "the step parameters", step, sizeof(struct ea_vk_step));
}

ea_status ea_vk_op_rope(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			struct ea_vk_span step, uint32_t n_heads, uint32_t head_dim,
			uint32_t n_tokens, float freq_base, enum ea_rope_mode mode)
{
	struct rope_params params = { n_heads, head_dim, n_tokens, (uint32_t)mode, freq_base };
	struct ea_vk_span spans[] = { x, step };
	uint64_t n = (uint64_t)n_tokens * n_heads * head_dim;
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0 || head_dim % 2 || (mode != EA_ROPE_NORMAL && mode != EA_ROPE_NEOX) ||
	    !(freq_base > 0.0f))
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				      "rope: %u tokens x %u heads x %u (even) values, mode %d, "
				      "base %g", n_tokens, n_heads, head_dim, (int)mode,
				      (double)freq_base);
	if (status == EA_OK)
		status = need_floats(ops, "rope", "x", x, n);
	if (status == EA_OK)
		status = need_step(ops, "rope", step);
	if (status == EA_OK)
		status = get_kernel(ops, "rope", false, 2, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, n / 2);
}

ea_status ea_vk_op_swiglu(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span gate,
			  struct ea_vk_span up, struct ea_vk_span out, uint32_t n)
{
	struct swiglu_params params = { n, 0 };
	struct ea_vk_span spans[] = { gate, up, out };
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "swiglu: no values");
	if (status == EA_OK)
		status = need_floats(ops, "swiglu", "gate", gate, n);
	if (status == EA_OK)
		status = need_floats(ops, "swiglu", "up", up, n);
	if (status == EA_OK)
		status = need_floats(ops, "swiglu", "out", out, n);
	if (status == EA_OK)
		status = get_kernel(ops, "swiglu", false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, n);
}

ea_status ea_vk_op_swiglu_rows(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span gu,
			       struct ea_vk_span out, uint32_t n, uint32_t n_rows)
{
	struct swiglu_params params = { n, n_rows };
	struct ea_vk_span spans[] = { gu, gu, out };
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0 || n_rows == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "swiglu: %u rows of %u",
				      n_rows, n);
	if (status == EA_OK)
		status = need_floats(ops, "swiglu", "gate and up", gu, 2ull * n * n_rows);
	if (status == EA_OK)
		status = need_floats(ops, "swiglu", "out", out, (uint64_t)n * n_rows);
	if (status == EA_OK)
		status = get_kernel(ops, "swiglu", false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, (uint64_t)n * n_rows);
}

ea_status ea_vk_op_rope_store(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span qkv,
			      struct ea_vk_span q_out, struct ea_vk_span k_cache,
			      struct ea_vk_span v_cache, struct ea_vk_span step, uint32_t n_heads,
			      uint32_t n_kv_heads, uint32_t head_dim, uint32_t n_tokens,
			      float freq_base, enum ea_rope_mode mode, uint32_t cache_rows)
{
	struct rope_store_params params = { n_heads, n_kv_heads, head_dim, n_tokens,
					    (uint32_t)mode, freq_base, cache_rows };
	struct ea_vk_span spans[] = { qkv, q_out, k_cache, v_cache, step };
	uint64_t kvd = (uint64_t)n_kv_heads * head_dim, qd = (uint64_t)n_heads * head_dim;
	uint64_t per_token = (n_heads + (uint64_t)n_kv_heads) * (head_dim / 2) + kvd;
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n_tokens == 0 || n_heads == 0 || n_kv_heads == 0 || head_dim == 0 || head_dim % 2 ||
	    cache_rows == 0 || (mode != EA_ROPE_NORMAL && mode != EA_ROPE_NEOX) ||
	    !(freq_base > 0.0f))
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				      "rope_store: %u tokens x %u + 2 x %u heads x %u (even) values, "
				      "%u cache rows, mode %d, base %g", n_tokens, n_heads,
				      n_kv_heads, head_dim, cache_rows, (int)mode, (double)freq_base);
	if (status == EA_OK)
		status = need_floats(ops, "rope_store", "q, k and v", qkv,
				     (qd + 2 * kvd) * n_tokens);
	if (status == EA_OK)
		status = need_floats(ops, "rope_store", "q out", q_out, qd * n_tokens);
	if (status == EA_OK)
		status = need_floats(ops, "rope_store", "the key cache", k_cache, kvd * cache_rows);
	if (status == EA_OK)
		status = need_floats(ops, "rope_store", "the value cache", v_cache, kvd * cache_rows);
	if (status == EA_OK)
		status = need_step(ops, "rope_store", step);
	if (status == EA_OK)
		status = get_kernel(ops, "rope_store", false, 5, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, per_token * n_tokens);
}

ea_status ea_vk_op_last_row(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span src,
			    struct ea_vk_span out, struct ea_vk_span step, uint32_t n,
			    uint32_t n_rows)
{
	struct last_row_params params = { n, n_rows };
	struct ea_vk_span spans[] = { src, out, step };
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0 || n_rows == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "last_row: %u rows of %u",
				      n_rows, n);
	if (status == EA_OK)
		status = need_floats(ops, "last_row", "src", src, (uint64_t)n * n_rows);
	if (status == EA_OK)
		status = need_floats(ops, "last_row", "out", out, n);
	if (status == EA_OK)
		status = need_step(ops, "last_row", step);
	if (status == EA_OK)
		status = get_kernel(ops, "last_row", false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, n);
}

ea_status ea_vk_op_score_rows(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span src,
			      struct ea_vk_span out, struct ea_vk_span step, uint32_t n,
			      uint32_t n_rows, uint32_t n_out)
{
	struct score_rows_params params = { n, n_rows, n_out };
	struct ea_vk_span spans[] = { src, out, step };
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0 || n_rows == 0 || n_out == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "score_rows: %u of %u rows "
				      "of %u", n_out, n_rows, n);
	if (status == EA_OK)
		status = need_floats(ops, "score_rows", "src", src, (uint64_t)n * n_rows);
	if (status == EA_OK)
		status = need_floats(ops, "score_rows", "out", out, (uint64_t)n * n_out);
	if (status == EA_OK)
		status = need_step(ops, "score_rows", step);
	if (status == EA_OK)
		status = get_kernel(ops, "score_rows", false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, (uint64_t)n * n_out);
}

ea_status ea_vk_op_token_nll(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span logits,
			     struct ea_vk_span ids, struct ea_vk_span nll, struct ea_vk_span step,
			     uint32_t n_vocab, uint32_t n_rows, uint32_t n_tokens)
{
	struct token_nll_params params = { n_vocab, n_rows, n_tokens };
	struct ea_vk_span spans[] = { logits, ids, nll, step };
	struct ea_vk_kernel *kernel;
	ea_status status = check_rows(ops, "token_nll", n_vocab, n_rows);

	if (status == EA_OK && n_tokens == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "token_nll: no tokens");
	if (status == EA_OK)
		status = need_floats(ops, "token_nll", "the logits", logits,
				     (uint64_t)n_vocab * n_rows);
	if (status == EA_OK)
		status = need_bytes(ops, "token_nll", "the token ids", ids,
				    (uint64_t)n_tokens * sizeof(uint32_t));
	if (status == EA_OK)
		status = need_floats(ops, "token_nll", "nll", nll, n_rows);
	if (status == EA_OK)
		status = need_step(ops, "token_nll", step);
	if (status == EA_OK)
		status = get_kernel(ops, "token_nll", true, 4, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return ea_vk_rec_dispatch(rec, kernel, spans, &params, n_rows, 1, ops->err);
}

ea_status ea_vk_op_add(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span a,
		       struct ea_vk_span b, struct ea_vk_span out, uint32_t n, uint32_t n_b)
{
	struct add_params params = { n, n_b };
	struct ea_vk_span spans[] = { a, b, out };
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0 || n_b == 0 || n % n_b)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				      "add: %u values with b of %u (a non-zero divisor)", n, n_b);
	if (status == EA_OK)
		status = need_floats(ops, "add", "a", a, n);
	if (status == EA_OK)
		status = need_floats(ops, "add", "b", b, n_b);
	if (status == EA_OK)
		status = need_floats(ops, "add", "out", out, n);
	if (status == EA_OK)
		status = get_kernel(ops, "add", false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, n);
}

ea_status ea_vk_op_argmax(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span x,
			  struct ea_vk_span out, uint32_t n)
{
	struct argmax_params params = { n };
	struct ea_vk_span spans[] = { x, out };
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT, "argmax: no values");
	if (status == EA_OK)
		status = need_floats(ops, "argmax", "x", x, n);
	if (status == EA_OK)
		status = need_bytes(ops, "argmax", "out", out, sizeof(uint32_t));
	if (status == EA_OK)
		status = get_kernel(ops, "argmax", false, 2, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return ea_vk_rec_dispatch(rec, kernel, spans, &params, 1, 1, ops->err);
}

ea_status ea_vk_op_store_rows(struct ea_vk_ops *ops, struct ea_vk_rec *rec, struct ea_vk_span src,
			      struct ea_vk_span cache, struct ea_vk_span step, uint32_t n,
			      uint32_t n_tokens, uint32_t cache_rows)
{
	struct store_rows_params params = { n, n_tokens };
	struct ea_vk_span spans[] = { src, cache, step };
	struct ea_vk_kernel *kernel;
	ea_status status = EA_OK;

	if (n == 0 || n_tokens == 0 || n_tokens > cache_rows)
		status = ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				      "store_rows: %u rows of %u values into a cache of %u rows",
				      n_tokens, n, cache_rows);
	if (status == EA_OK)
		status = need_floats(ops, "store_rows", "src", src, (uint64_t)n * n_tokens);
	if (status == EA_OK)
		status = need_floats(ops, "store_rows", "the cache", cache, (uint64_t)n * cache_rows);
	if (status == EA_OK)
		status = need_step(ops, "store_rows", step);
	if (status == EA_OK)
		status = get_kernel(ops, "store_rows", false, 3, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return dispatch_flat(ops, rec, kernel, spans, &params, (uint64_t)n * n_tokens);
}

static uint32_t attention_splits(const struct ea_vk_attention *shape)
{
	return (uint32_t)div_up(shape->n_ctx, EA_VK_ATTENTION_SPLIT);
}

VkDeviceSize ea_vk_attention_partial_bytes(const struct ea_vk_attention *shape)
{
	return (VkDeviceSize)shape->n_tokens * shape->n_heads * attention_splits(shape) *
	       (shape->head_dim + 2) * sizeof(float);
}

static ea_status check_attention(struct ea_vk_ops *ops, const struct ea_vk_attention *s)
{
	uint64_t groups = (uint64_t)s->n_tokens * s->n_heads;

	if (s->n_heads == 0 || s->n_kv_heads == 0 || s->n_heads % s->n_kv_heads ||
	    s->head_dim == 0 || s->head_dim % 2 || s->head_dim > MAX_HEAD_DIM ||
	    s->n_tokens == 0 || s->n_tokens > s->n_ctx ||
	    groups > ops->vk->limits.maxComputeWorkGroupCount[0] ||
	    attention_splits(s) > ops->vk->limits.maxComputeWorkGroupCount[1])
		return ea_error_set(ops->err, EA_ERR_INVALID_ARGUMENT,
				    "attention: %u heads over %u kv heads (a divisor), head_dim %u "
				    "(even, at most %d), %u tokens in a context of %u",
				    s->n_heads, s->n_kv_heads, s->head_dim, MAX_HEAD_DIM,
				    s->n_tokens, s->n_ctx);
	return EA_OK;
}

/* The CPU-shaped prompt attention (attention_cpu_d<head_dim>.comp), for the
 * head sizes it is built for. */
static bool attention_cpu_fits(const struct ea_vk_ops *ops, const struct ea_vk_attention *s)
{
	return ops->cpu_shape && s->n_tokens > 1 &&
	       (s->head_dim == 32 || s->head_dim == 64) &&
	       div_up(s->n_tokens, EA_VK_CPU_TOKENS) <= ops->vk->limits.maxComputeWorkGroupCount[0];
}

static ea_status attention_cpu(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
			       const struct ea_vk_attention *shape, struct ea_vk_span q,
			       struct ea_vk_span k_cache, struct ea_vk_span v_cache,
			       struct ea_vk_span out, struct ea_vk_span step)
{
	struct attention_cpu_params params = { shape->n_heads, shape->n_kv_heads, shape->n_tokens,
					       1.0f / sqrtf((float)shape->head_dim) };
	struct ea_vk_span spans[] = { q, k_cache, v_cache, out, step };
	struct ea_vk_kernel *kernel;
	char name[32];
	ea_status status;

	snprintf(name, sizeof(name), "attention_cpu_d%u", shape->head_dim);
	status = get_kernel(ops, name, false, 5, sizeof(params), &kernel);
	if (status != EA_OK)
		return status;
	return ea_vk_rec_dispatch(rec, kernel, spans, &params,
				  (uint32_t)div_up(shape->n_tokens, EA_VK_CPU_TOKENS),
				  shape->n_heads, ops->err);
}

ea_status ea_vk_op_attention(struct ea_vk_ops *ops, struct ea_vk_rec *rec,
			     const struct ea_vk_attention *shape, struct ea_vk_span q,
			     struct ea_vk_span k_cache, struct ea_vk_span v_cache,
			     struct ea_vk_span partial, struct ea_vk_span out,
			     struct ea_vk_span step)
{
	struct attention_params params = {
		.n_heads = shape->n_heads,
		.n_kv_heads = shape->n_kv_heads,
		.head_dim = shape->head_dim,
		.split_len = EA_VK_ATTENTION_SPLIT,
		.n_splits = attention_splits(shape),
		.scale = 1.0f / sqrtf((float)shape->head_dim),
	};
	struct combine_params combine = { shape->head_dim, params.n_splits, shape->n_heads,
					  EA_VK_ATTENTION_SPLIT };
	struct ea_vk_span spans[] = { q, k_cache, v_cache, partial, step };
	struct ea_vk_span combine_spans[] = { partial, out, step };
	uint64_t n_q = (uint64_t)shape->n_tokens * shape->n_heads * shape->head_dim;
	uint64_t n_cache = (uint64_t)shape->n_ctx * shape->n_kv_heads * shape->head_dim;
	struct ea_vk_kernel *first, *second;
	uint32_t groups = shape->n_tokens * shape->n_heads;
	ea_status status;

	status = check_attention(ops, shape);
	if (status == EA_OK)
		status = need_floats(ops, "attention", "q", q, n_q);
	if (status == EA_OK)
		status = need_floats(ops, "attention", "the key cache", k_cache, n_cache);
	if (status == EA_OK)
		status = need_floats(ops, "attention", "the value cache", v_cache, n_cache);
	if (status == EA_OK)
		status = need_bytes(ops, "attention", "the partial results", partial,
				    ea_vk_attention_partial_bytes(shape));
	if (status == EA_OK)
		status = need_floats(ops, "attention", "out", out, n_q);
	if (status == EA_OK)
		status = need_step(ops, "attention", step);
	if (status == EA_OK && attention_cpu_fits(ops, shape))
		return attention_cpu(ops, rec, shape, q, k_cache, v_cache, out, step);
	if (status == EA_OK)
		status = get_kernel(ops, "attention", true, 5, sizeof(params), &first);
	if (status == EA_OK)
		status = get_kernel(ops, "attention_combine", false, 3, sizeof(combine), &second);
	if (status == EA_OK)
		status = ea_vk_rec_dispatch(rec, first, spans, &params, groups, params.n_splits,
					    ops->err);
	if (status != EA_OK)
		return status;
	if (rec->manual_barriers)	/* the combination reads what the splits wrote */
		ea_vk_rec_barrier(rec);
	return ea_vk_rec_dispatch(rec, second, combine_spans, &combine, groups, 1, ops->err);
}
