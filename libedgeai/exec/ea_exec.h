/* SPDX-License-Identifier: MIT */
/*
 * ea_exec - the executor: a command stream (uapi/edgeai_cmdstream.h)
 * recorded once into Vulkan dispatches and replayed per run.
 *
 * Both modes run this: in direct mode a session's engine (engine/
 * ea_engine_direct.c) makes one in its own process over buffers it creates
 * (ea_exec_new()); in kmod mode edgeaid's job runner (ea_exec_jobs.h) makes
 * one per client stream over the client's buffer objects (ea_exec_new_bound()).
 *
 * The executor checks the stream (ea_cs_validate()), and records each of its
 * programs: the decode step, the prompt program and the score program. A
 * run replays one of them on the step block as its buffer holds it now; the
 * caller writes the step block and the token ids before, and reads the
 * outputs after, through ea_exec_map().
 *
 * Barriers only where needed: an op waits for the ops since the last barrier
 * when it reads or writes a span one of them wrote, or writes a span one of
 * them read (the op table says which spans an op writes), so independent ops
 * run together. EDGEAI_EXEC_BARRIERS=all puts one before every op.
 *
 * Thread safety: an executor belongs to one thread at a time.
 */
#ifndef EA_EXEC_H
#define EA_EXEC_H

#include "edgeai_cmdstream.h"
#include "edgeai_job.h"
#include "ea_vk_compute.h"
#include "ea_vk_ops.h"

struct ea_exec;

/*
 * An executor of @cs (which it copies) on @vk with its own buffers: weights,
 * KV caches and activations in device-local memory, the step block and the
 * output in host-visible memory; its uploads read @src (@src_bytes: the
 * model file's tensor data section). Errors: the stream's (EA_ERR_FORMAT,
 * EA_ERR_UNSUPPORTED), a buffer that cannot be made (EA_ERR_VULKAN), or an
 * op whose shapes the kernels refuse (EA_ERR_INVALID_ARGUMENT), each with a
 * message in @err.
 */
ea_status ea_exec_new(struct ea_vk *vk, const struct ea_cs_header *cs, const void *src,
		      uint64_t src_bytes, struct ea_exec **out, struct ea_error *err);

/*
 * An executor of @cs over buffers the caller owns (kmod mode): stream
 * buffer i is bound[i].buf at bound[i].offset (aligned for storage buffers;
 * the buffer's whole size must fit there). Nothing is created or uploaded:
 * the caller fills the weights. The buffers must outlive the executor;
 * @bound is copied.
 */
ea_status ea_exec_new_bound(struct ea_vk *vk, const struct ea_cs_header *cs,
			    const struct ea_vk_span *bound, struct ea_exec **out,
			    struct ea_error *err);
void ea_exec_free(struct ea_exec *x);

/* Run program @program (EA_KJOB_DECODE, _PROMPT or _SCORE of edgeai_job.h);
 * returns once its results are in the buffers. EA_ERR_INVALID_ARGUMENT for a
 * program the stream lacks, EA_ERR_VULKAN from the device. */
ea_status ea_exec_run(struct ea_exec *x, uint32_t program);

/* The host's view of span @ref of a host-visible buffer (the step block,
 * the token ids, the outputs). */
void *ea_exec_map(const struct ea_exec *x, struct ea_cs_ref ref);

/* The executor's validated copy of its stream. */
const struct ea_cs_header *ea_exec_stream(const struct ea_exec *x);

/* What one decode step reads from device memory: the weights of its matvecs
 * and its embedding row (*@weight_bytes), and the KV cache bytes per
 * position of context (*@kv_bytes_per_pos: keys and values of every layer). */
void ea_exec_traffic(const struct ea_exec *x, uint64_t *weight_bytes,
		     uint64_t *kv_bytes_per_pos);

/*
 * Profiling: with EDGEAI_PROFILE=1 in the environment when the executor is
 * made, or after ea_exec_set_profile(x, true), the recordings write a
 * timestamp before the first op and after each. After a decode run,
 * ea_exec_profile() adds each op's GPU time in microseconds to @us[opcode]
 * (up to @n_opcodes - 1) and matvec time by weight type to @matvec_us[type]
 * (@n_types entries); returns false when not profiling.
 */
bool ea_exec_profile(struct ea_exec *x, double *us, uint32_t n_opcodes, double *matvec_us,
		     uint32_t n_types);

/* Record every program again with (@on) or without timestamps; a no-op when
 * it already is, and without them on a queue that has none (no profile: the
 * times are then not there). On failure the programs fail to run until a
 * later call records them. */
ea_status ea_exec_set_profile(struct ea_exec *x, bool on);

/* The ops of @program (EA_KJOB_DECODE, _PROMPT or _SCORE; their count, 0 for
 * one the stream lacks; *@ops points at them), and when profiling its last
 * run's timestamps: @n = ops + 1 of them, in ns from the first, op i running
 * from ns[i] to ns[i + 1]. For traces and edgeaid's EA_KJOB_TIMES. */
uint32_t ea_exec_program_ops(struct ea_exec *x, uint32_t program, const struct ea_cs_op **ops);
bool ea_exec_program_times(struct ea_exec *x, uint32_t program, double *ns, uint32_t n);

/* The bytes each op of the decode step binds (its spans: weights, inputs and
 * outputs), added to @bytes[opcode] and, for matvecs, @matvec_bytes[type]:
 * with ea_exec_profile()'s times, the GB/s each op reaches. Left out: the
 * ops that bind a whole table and touch part of it (embedding, rope/KV
 * store, attention). */
void ea_exec_profile_bytes(const struct ea_exec *x, double *bytes, uint32_t n_opcodes,
			   double *matvec_bytes, uint32_t n_types);

/* The same for the last prompt run (its matmuls' time by weight type in
 * @matmul_us); false too when the stream has no prompt program. */
bool ea_exec_profile_prompt(struct ea_exec *x, double *us, uint32_t n_opcodes,
			    double *matmul_us, uint32_t n_types);

/* Why the last call failed. */
const char *ea_exec_error(const struct ea_exec *x);

/* Whether the executor's Q4_0 / Q8_0 matvecs use the int8-dot kernels. */
bool ea_exec_int8_matvec(const struct ea_exec *x);

/* The prompt matmul's kernels: "matmul_cm" (fp16 tiles on the matrix units),
 * "matmul_cpu" (shaped for a CPU device) or "matmul" (fp32 tiles). */
const char *ea_exec_prompt_kernels(const struct ea_exec *x);

#endif /* EA_EXEC_H */
