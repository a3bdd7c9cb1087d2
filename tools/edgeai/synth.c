// SPDX-License-Identifier: MIT
/*
 * edgeai synth - write a random-weight GGUF model of any llama shape and tensor
 * type, so tests and benchmarks need no downloads.
 *
 * Weights are deterministic for a seed: a xorshift generator, Gaussian by
 * Box-Muller, a matrix of fan-in n scaled by 1/sqrt(n) so activations keep
 * their size through the layers; norms are 1 + N(0, 0.02), biases N(0, 0.02).
 * The tokenizer is ea_tokenizer_synth's SentencePiece-style vocab. Tensors are
 * written row by row, so a model of gigabytes needs a few megabytes of memory.
 */
#include <math.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "ea_gguf_write.h"
#include "ea_quant.h"
#include "ea_tokenizer_synth.h"

struct shape {
	const char *name;
	const char *arch;		/* "llama" or "qwen2" */
	uint32_t layers, dim, heads, kv_heads, ffn, vocab, ctx;
	float rope_base;
	bool tied;			/* output projection is token_embd */
};

static const struct shape presets[] = {
	/* Rows of 256 values, so that every type, K-quants included, fits. */
	{ "tiny", "llama", 2, 256, 4, 2, 512, 512, 128, 10000.0f, false },
	{ "tinyllama-1.1b", "llama", 22, 2048, 32, 4, 5632, 32000, 2048, 10000.0f, false },
	{ "qwen2-0.5b", "qwen2", 24, 896, 14, 2, 4864, 151936, 32768, 1000000.0f, true },
	{ "llama-3.2-1b", "llama", 16, 2048, 32, 8, 8192, 128256, 131072, 500000.0f, true },
};

#define N_PRESETS (sizeof(presets) / sizeof(presets[0]))

struct synth {
	struct shape shape;
	enum ea_type type;
	bool mixed;		/* --type q4_k_m or q5_k_m: llama.cpp's mix (tensor_type()) */
	uint64_t seed;
	const char *out;
	struct ea_gguf_writer *w;
	uint64_t rng;
	uint64_t total, done, next_report;
	bool progress;
};

static uint64_t next_u64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static float gaussian(uint64_t *s)
{
	double u1 = ((next_u64(s) >> 11) + 1.0) * 0x1p-53, u2 = (next_u64(s) >> 11) * 0x1p-53;

	return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

/* Each tensor's values come from its own stream, so they do not depend on
 * the order tensors are written in. */
static uint64_t stream_seed(uint64_t seed, const char *name)
{
	uint64_t h = 14695981039346656037ull ^ seed;

	while (*name)
		h = (h ^ (uint8_t)*name++) * 1099511628211ull;
	return h ? h : 1;
}

enum init { INIT_MATRIX, INIT_NORM, INIT_BIAS };

/* As llama.cpp's quantizer does, a matrix whose rows are not whole K-quant
 * blocks (qwen2-0.5b's 896) gets the nearest 32-block type instead:
 * q4_k -> q4_0, q6_k -> q8_0. */
static enum ea_type matrix_type(enum ea_type type, uint64_t row)
{
	if (row % ea_type_block_values(type) == 0)
		return type;
	return type == EA_TYPE_Q4_K ? EA_TYPE_Q4_0 : type == EA_TYPE_Q5_K ? EA_TYPE_Q5_0 :
	       EA_TYPE_Q8_0;
}

/*
 * The type of a matrix of layer @l (-1: not in a layer) in role @more_bits
 * (attn_v, ffn_down: llama.cpp gives these more bits in some layers) or
 * @output. For --type q4_k_m (q5_k_m), as llama.cpp's quantize writes
 * Q4_K_M (Q5_K_M): Q4_K (Q5_K), but Q6_K for the output and for attn_v and
 * ffn_down of the first and last eighth of the layers and every third layer
 * between.
 */
static enum ea_type tensor_type(const struct synth *s, int l, bool more_bits, bool output)
{
	uint32_t n = s->shape.layers;

	if (!s->mixed)
		return s->type;
	if (output)
		return EA_TYPE_Q6_K;
	if (more_bits && l >= 0 &&
	    ((uint32_t)l < n / 8 || (uint32_t)l >= 7 * n / 8 || ((uint32_t)l - n / 8) % 3 == 2))
		return EA_TYPE_Q6_K;
	return s->type;
}

struct tensor {
	char name[64];
	enum ea_type type;
	uint32_t n_dims;
	uint64_t ne[2];
	enum init init;
};

/* The model's tensors, in llama.cpp's names and order; returns how many. */
static size_t list_tensors(const struct synth *s, struct tensor *t)
{
	const struct shape *m = &s->shape;
	uint64_t head_dim = m->dim / m->heads, kv_dim = head_dim * m->kv_heads;
	bool qwen2 = strcmp(m->arch, "qwen2") == 0;
	size_t n = 0;

#define ADD(type_, init_, d0, d1, ...) do { \
		snprintf(t[n].name, sizeof(t[n].name), __VA_ARGS__); \
		t[n].type = (init_) == INIT_MATRIX ? matrix_type((type_), (d0)) : (type_); \
		t[n].init = (init_); \
		t[n].n_dims = (d1) ? 2 : 1; t[n].ne[0] = (d0); t[n].ne[1] = (d1) ? (d1) : 1; \
		n++; \
	} while (0)
	ADD(tensor_type(s, -1, false, false), INIT_MATRIX, m->dim, m->vocab, "token_embd.weight");
	for (uint32_t l = 0; l < m->layers; l++) {
		enum ea_type base = tensor_type(s, (int)l, false, false);
		enum ea_type more = tensor_type(s, (int)l, true, false);

		ADD(EA_TYPE_F32, INIT_NORM, m->dim, 0, "blk.%u.attn_norm.weight", l);
		ADD(base, INIT_MATRIX, m->dim, m->dim, "blk.%u.attn_q.weight", l);
		ADD(base, INIT_MATRIX, m->dim, kv_dim, "blk.%u.attn_k.weight", l);
		ADD(more, INIT_MATRIX, m->dim, kv_dim, "blk.%u.attn_v.weight", l);
		if (qwen2) {
			ADD(EA_TYPE_F32, INIT_BIAS, m->dim, 0, "blk.%u.attn_q.bias", l);
			ADD(EA_TYPE_F32, INIT_BIAS, kv_dim, 0, "blk.%u.attn_k.bias", l);
			ADD(EA_TYPE_F32, INIT_BIAS, kv_dim, 0, "blk.%u.attn_v.bias", l);
		}
		ADD(base, INIT_MATRIX, m->dim, m->dim, "blk.%u.attn_output.weight", l);
		ADD(EA_TYPE_F32, INIT_NORM, m->dim, 0, "blk.%u.ffn_norm.weight", l);
		ADD(base, INIT_MATRIX, m->dim, m->ffn, "blk.%u.ffn_gate.weight", l);
		ADD(base, INIT_MATRIX, m->dim, m->ffn, "blk.%u.ffn_up.weight", l);
		ADD(more, INIT_MATRIX, m->ffn, m->dim, "blk.%u.ffn_down.weight", l);
	}
	ADD(EA_TYPE_F32, INIT_NORM, m->dim, 0, "output_norm.weight");
	if (!m->tied)
		ADD(tensor_type(s, -1, false, true), INIT_MATRIX, m->dim, m->vocab, "output.weight");
#undef ADD
	return n;
}

static ea_status write_metadata(struct synth *s)
{
	const struct shape *m = &s->shape;
	struct ea_gguf_writer *w = s->w;
	char key[128];
	ea_status st;

#define KEY(suffix) (snprintf(key, sizeof(key), "%s." suffix, m->arch), key)
	st = ea_gguf_writer_str(w, "general.architecture", m->arch);
	if (st == EA_OK)
		st = ea_gguf_writer_str(w, "general.name", "edgeai-synth");
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("block_count"), m->layers);
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("context_length"), m->ctx);
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("embedding_length"), m->dim);
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("feed_forward_length"), m->ffn);
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("attention.head_count"), m->heads);
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("attention.head_count_kv"), m->kv_heads);
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("rope.dimension_count"), m->dim / m->heads);
	if (st == EA_OK)
		st = ea_gguf_writer_f32(w, KEY("rope.freq_base"), m->rope_base);
	if (st == EA_OK)
		st = ea_gguf_writer_f32(w, KEY("attention.layer_norm_rms_epsilon"), 1e-5f);
	if (st == EA_OK)
		st = ea_gguf_writer_u32(w, KEY("vocab_size"), m->vocab);
#undef KEY
	if (st == EA_OK)
		st = ea_tokenizer_synth_write(w, m->vocab);
	return st;
}

static void report_progress(struct synth *s, bool last)
{
	if (!s->progress || (!last && s->done < s->next_report))
		return;
	fprintf(stderr, "\r%s: %5.1f%% of %.1f MiB", s->out,
		s->total ? 100.0 * (double)s->done / (double)s->total : 100.0,
		(double)s->total / (1 << 20));
	if (last)
		fputc('\n', stderr);
	s->next_report = s->done + s->total / 200 + 1;
}

static ea_status write_tensor(struct synth *s, const struct tensor *t, float *row, void *packed)
{
	uint64_t rng = stream_seed(s->seed, t->name);
	size_t bytes = ea_type_row_bytes(t->type, t->ne[0]);
	float scale = 1.0f / sqrtf((float)t->ne[0]);
	ea_status st = EA_OK;

	for (uint64_t r = 0; r < t->ne[1] && st == EA_OK; r++) {
		for (uint64_t i = 0; i < t->ne[0]; i++) {
			float g = gaussian(&rng);

			row[i] = t->init == INIT_MATRIX ? g * scale :
				 t->init == INIT_NORM ? 1.0f + 0.02f * g : 0.02f * g;
		}
		ea_quantize_row(t->type, row, packed, t->ne[0]);
		st = ea_gguf_writer_data(s->w, packed, bytes);
		s->done += bytes;
		report_progress(s, false);
	}
	return st;
}

static int synthesize(struct synth *s)
{
	size_t max_tensors = 3 + 12 * (size_t)s->shape.layers, n;
	struct tensor *t = calloc(max_tensors, sizeof(*t));
	uint64_t widest = s->shape.dim > s->shape.ffn ? s->shape.dim : s->shape.ffn;
	float *row = malloc(widest * sizeof(float));
	void *packed = malloc(widest * sizeof(float));
	struct ea_error err;
	ea_status st;

	if (!t || !row || !packed) {
		fprintf(stderr, "edgeai synth: out of memory\n");
		free(t), free(row), free(packed);
		return 1;
	}
	n = list_tensors(s, t);
	st = ea_gguf_writer_open(s->out, 32, &s->w, &err);
	if (st != EA_OK) {
		fprintf(stderr, "edgeai synth: %s\n", err.msg);
		free(t), free(row), free(packed);
		return 1;
	}
	st = write_metadata(s);
	for (size_t i = 0; i < n && st == EA_OK; i++)
		st = ea_gguf_writer_tensor(s->w, t[i].name, t[i].type, t[i].n_dims, t[i].ne);
	s->total = ea_gguf_writer_total_bytes(s->w);
	for (size_t i = 0; i < n && st == EA_OK; i++)
		st = write_tensor(s, &t[i], row, packed);
	if (st != EA_OK) {
		fprintf(stderr, "edgeai synth: %s: %s\n", ea_strerror(st), ea_gguf_writer_error(s->w));
		ea_gguf_writer_abort(s->w);
	} else {
		st = ea_gguf_writer_finish(s->w, &err);
		if (st != EA_OK)
			fprintf(stderr, "edgeai synth: %s\n", err.msg);
	}
	if (st == EA_OK) {
		s->done = s->total;
		report_progress(s, true);
	}
	free(t), free(row), free(packed);
	return st == EA_OK ? 0 : 1;
}

/* --preset NAME into @shape. */
static void parse_preset(struct cli_parser *p, struct shape *shape)
{
	const char *names[N_PRESETS];
	int i;

	for (size_t k = 0; k < N_PRESETS; k++)
		names[k] = presets[k].name;
	if (cli_choice(p, names, (int)N_PRESETS, &i))
		*shape = presets[i];
}

/* The shape must make a model the engine can run and the file can hold. */
static bool check_shape(const struct synth *s)
{
	const struct shape *m = &s->shape;
	const char *why = NULL;

	if (m->dim % m->heads || m->heads % m->kv_heads)
		why = "--dim must be a multiple of --heads, and --heads of --kv-heads";
	else if ((m->dim / m->heads) % 2)
		why = "the head size (--dim / --heads) must be even for RoPE";
	else if (m->dim % EA_QK_0 || m->ffn % EA_QK_0)
		why = "--dim and --ffn must be multiples of 32 (the quantization block)";
	else if (m->vocab < EA_SYNTH_VOCAB_MIN)
		why = "--vocab must be at least 260 (specials, 256 byte tokens, '▁')";
	else if (m->layers > 4096)
		why = "--layers must be at most 4096";
	if (why)
		fprintf(stderr, "edgeai synth: %s\n", why);
	return why == NULL;
}

enum {
	OPT_TYPE = CLI_OPT_OWN, OPT_PRESET, OPT_SEED, OPT_ARCH, OPT_LAYERS, OPT_DIM, OPT_HEADS,
	OPT_KV_HEADS, OPT_FFN, OPT_VOCAB, OPT_CTX,
};

static const struct option long_options[] = {
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "preset", required_argument, NULL, OPT_PRESET },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "layers", required_argument, NULL, OPT_LAYERS },
	{ "dim", required_argument, NULL, OPT_DIM },
	{ "heads", required_argument, NULL, OPT_HEADS },
	{ "kv-heads", required_argument, NULL, OPT_KV_HEADS },
	{ "ffn", required_argument, NULL, OPT_FFN },
	{ "vocab", required_argument, NULL, OPT_VOCAB },
	{ "ctx", required_argument, NULL, OPT_CTX },
	CLI_OPTIONS_END
};

/* The field of @m an option sets, NULL for an option that is not a dimension. */
static uint32_t *shape_field(struct shape *m, int option)
{
	switch (option) {
	case OPT_LAYERS:
		return &m->layers;
	case OPT_DIM:
		return &m->dim;
	case OPT_HEADS:
		return &m->heads;
	case OPT_KV_HEADS:
		return &m->kv_heads;
	case OPT_FFN:
		return &m->ffn;
	case OPT_VOCAB:
		return &m->vocab;
	case OPT_CTX:
		return &m->ctx;
	}
	return NULL;
}

static void parse_option(struct cli_parser *p, struct synth *s, bool *type_given)
{
	static const char *const archs[] = { "llama", "qwen2" };
	uint32_t *dim = shape_field(&s->shape, p->option);
	int arch;

	if (dim) {
		cli_u32(p, 1, UINT32_MAX, dim);
		return;
	}
	switch (p->option) {
	case 'o':
		s->out = optarg;
		break;
	case OPT_TYPE:
		s->mixed = !strcasecmp(optarg, "q4_k_m") || !strcasecmp(optarg, "q5_k_m");
		if (s->mixed)
			s->type = tolower((unsigned char)optarg[1]) == '4' ? EA_TYPE_Q4_K : EA_TYPE_Q5_K;
		if (s->mixed || ea_type_from_name(optarg, &s->type))
			*type_given = true;
		else
			cli_bad_value(p, "expected f32, f16, bf16, q8_0, q4_0, q5_0, q4_k, q5_k, q6_k, "
				      "q4_k_m or q5_k_m");
		break;
	case OPT_PRESET:
		parse_preset(p, &s->shape);
		break;
	case OPT_SEED:
		cli_seed(p, &s->seed);
		break;
	case OPT_ARCH:
		if (cli_choice(p, archs, 2, &arch))
			s->shape.arch = archs[arch];
		break;
	}
}

static int synth_main(int argc, char **argv)
{
	struct synth s = { .shape = presets[0], .seed = 1, .progress = isatty(STDERR_FILENO) };
	bool type_given = false;
	struct cli_parser p;

	/* Options apply in order, so "--preset P --layers 4" changes one field of P. */
	cli_parser_init(&p, &cli_synth, argc, argv, "o:", long_options);
	while (cli_next(&p) != -1)
		parse_option(&p, &s, &type_given);
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;
	if (!s.out || !type_given) {
		fprintf(stderr, "edgeai synth: -o FILE and --type T are required\n");
		return 2;
	}
	if (!check_shape(&s))
		return 2;
	return synthesize(&s);
}

const struct cli_command cli_synth = {
	.name = "synth",
	.summary = "write a random-weight GGUF model of any llama shape and tensor type",
	.usage = "-o FILE --type f32|f16|bf16|q8_0|q4_0|q5_0|q4_k|q5_k|q6_k|q4_k_m|q5_k_m\n"
		 "       [--preset tiny|tinyllama-1.1b|qwen2-0.5b|llama-3.2-1b]\n"
		 "       [--layers N --dim N --heads N --kv-heads N --ffn N --vocab N --ctx N]\n"
		 "       [--arch llama|qwen2] [--seed S]\n"
		 "Options apply in order: a preset, then changes to it. Without a preset, the\n"
		 "shape starts as 'tiny' (2 layers, dim 256, 4 heads, 2 kv heads, ffn 512, vocab 512,\n"
		 "ctx 128). qwen2 adds q/k/v biases; the tokenizer is a synthetic SentencePiece vocab.\n"
		 "q4_k_m and q5_k_m mix types as llama.cpp's Q4_K_M and Q5_K_M: Q4_K (Q5_K), with\n"
		 "Q6_K for the output and for attn_v and ffn_down of some layers.",
	.run = synth_main,
};
