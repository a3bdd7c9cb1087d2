/* SPDX-License-Identifier: MIT */
/*
 * edgeai.h - the public interface of libedgeai.
 *
 * libedgeai runs quantized language-model kernels on an edge accelerator. It
 * works in one of two modes:
 *
 *  - kmod mode: the edgeai kernel module is loaded and its DRM accel device
 *    (/dev/accel/accelN, driver name "edgeai") is open; the module owns
 *    accelerator memory and job queues.
 *  - direct mode: no module; the library runs the Vulkan kernels inside the
 *    calling process. This is the default on a machine without the module.
 *
 * Thread safety: the library holds no global mutable state. A struct ea_device
 * must not be used by two threads at once; separate devices are independent
 * and may be used from different threads concurrently. Functions that take no
 * device (ea_strerror, ea_ref_*) are safe to call from any thread.
 *
 * Errors: every fallible function returns an ea_status. EA_OK is zero and every
 * error is negative; ea_strerror() describes the code, and ea_last_error()
 * gives the message of the device's last failure, with its details.
 */
#ifndef EDGEAI_H
#define EDGEAI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EA_API __attribute__((visibility("default")))

/* Status codes returned by every fallible function. */
typedef enum ea_status {
	EA_OK = 0,
	EA_ERR_INVALID_ARGUMENT = -1,	/* a NULL pointer, a bad size or option */
	EA_ERR_NO_MEMORY = -2,		/* host memory allocation failed */
	EA_ERR_BAD_ENVIRONMENT = -3,	/* EDGEAI_MODE or EDGEAI_VK_DEVICE is invalid */
	EA_ERR_NO_VULKAN_DEVICE = -4,	/* no (or no matching) usable Vulkan device */
	EA_ERR_VULKAN = -5,		/* a Vulkan call failed */
	EA_ERR_NO_ACCEL_DEVICE = -6,	/* kmod mode asked for, no edgeai accel device */
	EA_ERR_ACCEL = -7,		/* an ioctl on the accel device failed */
	EA_ERR_ABI_MISMATCH = -8,	/* the module speaks an ABI version we do not */
	EA_ERR_NO_SHADER = -9,		/* a kernel's SPIR-V is not in the library */
	EA_ERR_FORMAT = -10,		/* a file (GGUF) is malformed; the message names
					 * the field and its byte offset */
	EA_ERR_IO = -11,		/* a file could not be opened, mapped, read or written */
	EA_ERR_NOT_FOUND = -12,		/* a key, tensor or name is not there */
	EA_ERR_UNSUPPORTED = -13,	/* well-formed but not supported (version,
					 * tensor type, tokenizer model) */
	EA_ERR_CLOUD = -14,		/* the cloud endpoint failed: refused, timed out,
					 * HTTP error, or a malformed or cut answer */
} ea_status;

/* A static description of @status; never NULL, also for unknown codes. */
EA_API const char *ea_strerror(ea_status status);

enum ea_mode {
	EA_MODE_AUTO = 0,	/* kmod when an edgeai accel device exists, else direct */
	EA_MODE_DIRECT = 1,	/* Vulkan in this process, no module */
	EA_MODE_KMOD = 2,	/* through the module's accel device; fails without it */
};

/* "auto", "direct" or "kmod". */
EA_API const char *ea_mode_name(enum ea_mode mode);

/*
 * Options of ea_open(). Zero-initialize it, then set what you need: a zero or
 * NULL field means "from the environment, else the default".
 */
struct ea_open_options {
	/* EA_MODE_AUTO: the EDGEAI_MODE environment variable ("auto", "direct",
	 * "kmod") if set, else automatic. */
	enum ea_mode mode;
	/* Vulkan device: an index into the enumerated physical devices or a
	 * case-insensitive substring of a device's name. NULL: EDGEAI_VK_DEVICE
	 * if set, else the best device (discrete GPU, then integrated GPU, then
	 * virtual GPU, then CPU). */
	const char *vk_device;
	/* Folder scanned for accel nodes. NULL: "/dev/accel". */
	const char *accel_dir;
};

struct ea_device;

/*
 * Open a device. @options may be NULL (all defaults). On success *@out holds
 * the device (free it with ea_close()). On failure *@out is NULL and, when
 * @errmsg is not NULL, a message of at most @errmsg_size bytes (terminated)
 * explains what went wrong, e.g. the list of Vulkan devices when
 * EDGEAI_VK_DEVICE matched none.
 *
 * In direct mode a usable Vulkan device is required. In kmod mode the Vulkan
 * device is optional (the module's executor runs the kernels): when none can
 * be opened, ea_device_info() reports vk_available = false and operations
 * that run kernels in this process fail with EA_ERR_NO_VULKAN_DEVICE.
 */
EA_API ea_status ea_open(const struct ea_open_options *options,
			 struct ea_device **out, char *errmsg, size_t errmsg_size);

/* Close @dev and free everything it holds. NULL is a no-op. */
EA_API void ea_close(struct ea_device *dev);

/* The mode @dev runs in: EA_MODE_DIRECT or EA_MODE_KMOD. */
EA_API enum ea_mode ea_device_mode(const struct ea_device *dev);

/* The message of the last failed call on @dev; "" when none failed yet. */
EA_API const char *ea_last_error(const struct ea_device *dev);

enum ea_vk_device_type {
	EA_VK_DEVICE_OTHER = 0,
	EA_VK_DEVICE_INTEGRATED_GPU = 1,
	EA_VK_DEVICE_DISCRETE_GPU = 2,
	EA_VK_DEVICE_VIRTUAL_GPU = 3,
	EA_VK_DEVICE_CPU = 4,
};

/* "discrete GPU", "integrated GPU", "virtual GPU", "CPU" or "other". */
EA_API const char *ea_vk_device_type_name(enum ea_vk_device_type type);

#define EA_NAME_MAX 256

/* What a device is and can do; filled in by ea_open(), fixed afterwards. */
struct ea_device_info {
	enum ea_mode mode;

	/* kmod mode only (zero in direct mode): the accel node and the
	 * module's ABI version and limits (EDGEAI_PARAM_* in the uapi). */
	char accel_path[EA_NAME_MAX];
	uint32_t abi_version;
	uint64_t mem_limit;		/* bytes, whole device */
	uint64_t client_quota;		/* bytes, per open file */
	uint64_t max_bo_size;		/* bytes, per buffer object */
	uint32_t max_queues;		/* job queues per client */
	uint32_t job_timeout_ms;

	/* The Vulkan device; meaningful only when vk_available is true. */
	bool vk_available;
	uint32_t vk_index;		/* in vkEnumeratePhysicalDevices order */
	char vk_name[EA_NAME_MAX];
	enum ea_vk_device_type vk_type;
	uint32_t vk_vendor_id;
	uint32_t vk_device_id;
	uint32_t vk_api_version;	/* VK_MAKE_API_VERSION encoding */
	char vk_driver_name[EA_NAME_MAX];
	char vk_driver_info[EA_NAME_MAX];
	uint32_t subgroup_size;
	bool shader_float16;		/* fp16 arithmetic in shaders */
	bool shader_int8;		/* int8 arithmetic in shaders */
	bool storage_16bit;		/* 16-bit values in storage buffers */
	bool storage_8bit;		/* 8-bit values in storage buffers */
	bool int8_dot_product;		/* VK_KHR_shader_integer_dot_product */
	bool int8_dot_product_accelerated; /* packed 4x8 signed dot is fast */
	bool coop_matrix_khr;		/* VK_KHR_cooperative_matrix present */
	bool coop_matrix_nv;		/* VK_NV_cooperative_matrix present */
};

/* The information of @dev, valid until ea_close(@dev). */
EA_API const struct ea_device_info *ea_device_info(const struct ea_device *dev);

/*
 * GGUF Q8_0: blocks of 32 values, each an fp16 scale d followed by 32 int8 q
 * (34 bytes, the layout of ggml's block_q8_0); value j is d * q[j].
 */
#define EA_Q8_0_BLOCK_VALUES 32
#define EA_Q8_0_BLOCK_BYTES 34

/*
 * Dequantize @n_values values (a multiple of EA_Q8_0_BLOCK_VALUES) from the
 * Q8_0 blocks at @blocks into @out, on the device's Vulkan device. The result
 * is bit-identical to ea_ref_dequant_q8_0().
 */
EA_API ea_status ea_dequant_q8_0(struct ea_device *dev, const void *blocks,
				 size_t n_values, float *out);

/* The CPU reference of ea_dequant_q8_0(). */
EA_API ea_status ea_ref_dequant_q8_0(const void *blocks, size_t n_values,
				     float *out);


/*
 * DOC: Models, sessions and generation
 *
 * A model (struct ea_model) is a GGUF file of the llama family (architectures
 * "llama" and "qwen2") with its tokenizer, opened with ea_model_open(). It is
 * read-only once open and holds no device state: any number of sessions, on
 * any devices and threads, may use one model at the same time. It must
 * outlive them.
 *
 * A session (struct ea_session) runs a model on one engine and holds its KV
 * cache: on Vulkan in direct mode (the device's Vulkan device; the weights
 * are uploaded when the session opens) or on the CPU reference (plain C,
 * multi-threaded over the rows of each matrix product). ea_generate() runs
 * one request on it; a session serves any number of requests one after the
 * other. It remembers the tokens in its KV cache, and a request whose prompt
 * starts with them only evaluates the rest (a chat's growing history);
 * ea_session_reset() forgets them.
 *
 * Thread safety: a session belongs to one thread at a time (calls on it must
 * not overlap). Sessions on different devices, or on the CPU reference, run
 * in parallel on different threads. Vulkan sessions of one device share its
 * queue: like every use of a struct ea_device, their calls must not overlap
 * (open a device per thread to run them in parallel). A model is shared
 * read-only: ea_model_*, ea_tokenize() and ea_detokenize() may be called from
 * any thread at any time while it is open.
 *
 * Errors: functions that open something write a message into the caller's
 * errmsg buffer; functions on a session leave theirs in ea_session_error().
 * The tokenizer functions fail only with EA_ERR_INVALID_ARGUMENT (a NULL
 * pointer, a token out of range) and EA_ERR_NO_MEMORY, which ea_strerror()
 * describes fully.
 */

struct ea_model;
struct ea_session;

/*
 * Progress of a long load: @done of @total bytes (total > 0). Called from the
 * loading thread, first with done = 0 and last with done = total.
 */
typedef void (*ea_progress_fn)(uint64_t done, uint64_t total, void *user);

/*
 * Open the model in the GGUF file at @path: its metadata, tensors and
 * tokenizer are checked, and its weights are read into memory (the file is
 * mapped; @progress, when not NULL, follows the reading). On failure *@out is
 * NULL and @errmsg (when not NULL) names what is wrong: EA_ERR_IO (the file),
 * EA_ERR_FORMAT (a malformed file: the field and its offset),
 * EA_ERR_UNSUPPORTED (an architecture, tensor type or tokenizer model),
 * EA_ERR_NOT_FOUND (a missing key or tensor), EA_ERR_NO_MEMORY.
 */
EA_API ea_status ea_model_open(const char *path, ea_progress_fn progress, void *user,
			       struct ea_model **out, char *errmsg, size_t errmsg_size);

/* Close @model; every session of it must be closed first. NULL is a no-op. */
EA_API void ea_model_close(struct ea_model *model);

/* What a model is; filled in by ea_model_open(), fixed afterwards. */
struct ea_model_info {
	char name[EA_NAME_MAX];	/* general.name, else the file's name */
	char arch[32];		/* general.architecture: "llama" or "qwen2" */
	char type[16];		/* tensor type of the matrices, e.g. "f16", "q4_0" */
	int n_ctx;		/* the context: prompt + generated tokens, at most */
	int n_vocab;
	int n_layers;
	int dim;		/* embedding width */
	int n_heads, n_kv_heads;
	uint64_t n_params;	/* number of weights */
	int32_t bos_token;	/* -1 when the vocabulary has none */
	int32_t eos_token;	/* -1 when the vocabulary has none */
	bool adds_bos;		/* prompts get the BOS token first (the tokenizer's setting) */
};

/* The information of @model, valid until ea_model_close(@model). */
EA_API const struct ea_model_info *ea_model_info(const struct ea_model *model);

/* Flags of ea_tokenize() and ea_generate_params.flags. */
#define EA_TEXT_SPECIAL 1u	/* control tokens' text (e.g. "<|endoftext|>") in the
				 * text is that token; else it is plain text */
#define EA_TEXT_NO_BOS 2u	/* no BOS token first, even if the model adds one */

/*
 * The tokens of @len bytes of @text (any bytes; invalid UTF-8 is encoded
 * byte by byte), exactly as ea_generate() tokenizes a prompt with the same
 * @flags: BOS first when the model adds one (ea_model_info()->adds_bos) and
 * EA_TEXT_NO_BOS is not given. Like snprintf(): *@n_tokens is the number of
 * tokens of the whole text, of which the first min(*n_tokens, @capacity) are
 * written to @tokens (@tokens may be NULL when @capacity is 0: a count).
 */
EA_API ea_status ea_tokenize(const struct ea_model *model, const char *text, size_t len,
			     unsigned flags, int32_t *tokens, size_t capacity, size_t *n_tokens);

/*
 * The text of @n tokens, the inverse of ea_tokenize(): control tokens (BOS,
 * EOS) give nothing unless EA_TEXT_SPECIAL. Like snprintf(): *@len is the
 * length of the whole text, of which the first min(*len, @capacity - 1)
 * bytes and a terminating NUL are written to @text (when @capacity > 0).
 * The bytes may end inside a UTF-8 character that later tokens complete.
 */
EA_API ea_status ea_detokenize(const struct ea_model *model, const int32_t *tokens, size_t n,
			       unsigned flags, char *text, size_t capacity, size_t *len);

enum ea_engine {
	EA_ENGINE_AUTO = 0,	/* Vulkan when a device is given, else the CPU reference */
	EA_ENGINE_VULKAN = 1,	/* the device's Vulkan device, in this process */
	EA_ENGINE_CPU = 2,	/* the CPU reference */
};

/* "Vulkan" or "CPU reference" (or "auto"). */
EA_API const char *ea_engine_name(enum ea_engine engine);

/* Options of ea_session_open(). Zero-initialize, then set what you need. */
struct ea_session_options {
	enum ea_engine engine;
	/* CPU reference threads. 0: EDGEAI_THREADS if set, else the number of
	 * online CPUs. Results do not depend on it. */
	int n_threads;
	/* Called while the weights are uploaded to the device (may be NULL). */
	ea_progress_fn progress;
	void *progress_user;
};

/*
 * Open a session of @model. @dev may be NULL for the CPU reference; for
 * Vulkan it must be a device: in direct mode with a Vulkan device (else
 * EA_ERR_NO_VULKAN_DEVICE), or in kmod mode, where the module's executor
 * (edgeaid) runs the kernels, the weights are one buffer shared by every
 * process that opens the same model file, and a run fails with EA_ERR_ACCEL
 * when no executor completes it within the module's job timeout. @options
 * may be NULL (all defaults). @model and
 * @dev must outlive the session. On failure *@out is NULL and @errmsg (when
 * not NULL) says why: also EA_ERR_VULKAN, EA_ERR_NO_MEMORY.
 */
EA_API ea_status ea_session_open(struct ea_device *dev, const struct ea_model *model,
				 const struct ea_session_options *options,
				 struct ea_session **out, char *errmsg, size_t errmsg_size);

/* Close @session and free its KV cache. NULL is a no-op. */
EA_API void ea_session_close(struct ea_session *session);

/* Forget the tokens in the KV cache: the next request starts from nothing. */
EA_API void ea_session_reset(struct ea_session *session);

/* "Vulkan" or "CPU reference". */
EA_API const char *ea_session_engine(const struct ea_session *session);

/* The message of the last failed call on @session ("" when none failed). */
EA_API const char *ea_session_error(const struct ea_session *session);

/*
 * Streaming: called with each new piece of the generated text, in order, as
 * soon as it is known. A piece is @len bytes (> 0, not NUL-terminated) of
 * whole UTF-8 characters: a character split over tokens is held back until
 * its last byte comes (invalid bytes are passed on as they are; a character
 * cut short by the end of the generation becomes U+FFFD). Text that
 * could be the start of a stop string is held back until it is known not to
 * be; a stop string and what follows it never reach the callback. The
 * concatenated pieces are the result's text. Return 0 to go on, non-zero to
 * cancel: ea_generate() then returns EA_OK with finish_reason
 * EA_FINISH_CANCELLED.
 */
typedef int (*ea_text_fn)(const char *text, size_t len, void *user);

#define EA_MAX_STOP_STRINGS 16

/* Alternatives a token's log-probability record names at most. */
#define EA_MAX_LOGPROBS 20

/*
 * The model's log-probability of one token at its position (the natural log
 * of the softmax of the logits that predicted it, the model's own
 * distribution, before temperature, top-k or top-p), and the @n_top most
 * likely tokens there, most likely first (ties: the lower id first). The
 * first token of a text has nothing before it: its logprob is NAN and n_top 0.
 */
struct ea_token_logprob {
	int32_t token;
	float logprob;
	int n_top;
	int32_t top_token[EA_MAX_LOGPROBS];
	float top_logprob[EA_MAX_LOGPROBS];
};

/*
 * One request. Zero-initialize, then set the prompt and what you need: the
 * zero of every field is a valid default (greedy, up to the context).
 */
struct ea_generate_params {
	const char *prompt;	/* UTF-8 text (NUL-terminated unless prompt_len) */
	size_t prompt_len;	/* bytes of prompt; 0: strlen(prompt) */
	unsigned flags;		/* EA_TEXT_SPECIAL, EA_TEXT_NO_BOS */
	/* Tokens to generate at most; 0: until the context is full. The prompt
	 * and max_tokens must fit the context (ea_model_info()->n_ctx). */
	int max_tokens;
	float temperature;	/* 0: greedy (argmax); else > 0 */
	int top_k;		/* keep the k most likely tokens; 0: all */
	float top_p;		/* nucleus: 0 < top_p < 1 keeps the most likely tokens
				 * whose probability reaches top_p; 0 or >= 1: all */
	uint64_t seed;		/* the same seed, prompt and model: the same text */
	/* Stop strings (at most EA_MAX_STOP_STRINGS, each non-empty): generation
	 * ends before the first of them, which is not part of the text. */
	const char *const *stop;
	int n_stop;
	bool ignore_eos;	/* go on past the end-of-sequence token */
	/* The prompt as token ids instead of text (prompt NULL): n_prompt_tokens
	 * ids, each below the model's n_vocab, taken as they are (no BOS added).
	 * What another engine with the same tokenizer sends to score or verify
	 * its own tokens. */
	const int32_t *prompt_tokens;
	int n_prompt_tokens;
	/* Log-probabilities of the generated tokens in the result, each with its
	 * top_logprobs (0 .. EA_MAX_LOGPROBS) alternatives; with echo, of the
	 * prompt's tokens too. */
	bool logprobs;
	int top_logprobs;
	bool echo;
	/* Run the prompt only: generate nothing (with logprobs and echo: score
	 * the prompt). finish_reason is then EA_FINISH_LENGTH. */
	bool prompt_only;
	/* With logprobs: called with each token's record as soon as it is
	 * known, in the result's order: with echo, the prompt's once it is
	 * evaluated; then each sampled token's as soon as it is sampled,
	 * before its text is streamed. Non-zero cancels (as the text callback
	 * does). NULL: none. */
	int (*on_token)(const struct ea_token_logprob *token, void *user);
	void *token_user;
};

enum ea_finish_reason {
	EA_FINISH_STOP = 0,	/* a stop string came */
	EA_FINISH_LENGTH = 1,	/* max_tokens generated, or the context is full */
	EA_FINISH_EOS = 2,	/* the model ended the text (end-of-sequence token) */
	EA_FINISH_CANCELLED = 3, /* the text callback returned non-zero */
};

/* "stop", "length", "eos" or "cancelled". */
EA_API const char *ea_finish_reason_name(enum ea_finish_reason reason);

/* What a request produced. */
struct ea_generate_result {
	/* The generated text, NUL-terminated, owned by the session: valid until
	 * the next ea_generate(), ea_session_reset() or ea_session_close(). */
	const char *text;
	size_t text_len;
	enum ea_finish_reason finish_reason;
	int stop_index;		/* which stop string ended it (EA_FINISH_STOP); else -1 */
	int n_prompt_tokens;	/* tokens of the prompt (with BOS) */
	int n_cached_tokens;	/* of them, found in the KV cache and not evaluated again */
	int n_generated_tokens;	/* tokens sampled (the EOS and stop-string tokens included) */
	double prompt_s;	/* evaluating the prompt (wall time) */
	double generate_s;	/* generating, from the first sampled token to the last */
	double prompt_tok_s;	/* evaluated prompt tokens / prompt_s */
	double generate_tok_s;	/* n_generated_tokens / generate_s */
	/* With params.logprobs: one record a token, in order: the prompt's (with
	 * echo; the first has logprob NAN), then every generated token's (the
	 * EOS and stop-string tokens included). Owned by the session, valid as
	 * text is. NULL and 0 without logprobs. */
	const struct ea_token_logprob *logprobs;
	int n_logprobs;
	int n_echoed;		/* of them, the prompt's */
};

/*
 * Generate text after @params->prompt (or its prompt_tokens) on @session,
 * streaming it to @on_text (may be NULL) with @user, and fill in @result
 * (may be NULL). Log-probabilities of tokens the KV cache holds from an
 * earlier request are kept with it, so a request that extends an earlier one
 * evaluates only its new tokens, echo or not. A bad
 * parameter or a request that does not fit the context fails with
 * EA_ERR_INVALID_ARGUMENT and a message before anything runs; a device
 * failure gives its code (EA_ERR_VULKAN) and message. After a failure the
 * session's KV cache is forgotten (as by ea_session_reset()); the session
 * remains usable.
 */
EA_API ea_status ea_generate(struct ea_session *session, const struct ea_generate_params *params,
			     ea_text_fn on_text, void *user, struct ea_generate_result *result);

/*
 * DOC: Routed generation
 *
 * A router (struct ea_router) decides for each request whether it runs on
 * the local session or on a cloud model behind the OpenAI-compatible HTTP
 * API (`edgeai serve`, vLLM, llama.cpp's server), runs it there, and says
 * where it ran and why. ea_generate_routed() is ea_generate() with that
 * decision in front:
 *
 *  - the decision: in kmod mode the module's (DRM_IOCTL_EDGEAI_ROUTE: the
 *    attached BPF policy, else the built-in one); in direct mode the same
 *    built-in policy computed in this process (or the latency or privacy
 *    policy, ea_router_options.policy), with this router's own state: no
 *    queue, an executor when a local session is given, no memory limit, and
 *    the moving average of a local token's time over this router's requests;
 *  - the privacy class: the caller's, else the personal-data detector's
 *    (e-mail addresses, phone, card and IBAN numbers): none is PUBLIC; some
 *    is PERSONAL when redaction is on (it leaves only as placeholders),
 *    SENSITIVE when it is off (it never leaves). A SENSITIVE request never
 *    goes to the cloud, whatever a policy says;
 *  - offload: a streamed /v1/completions request with the same prompt (or
 *    its redacted text), max_tokens, temperature and top_p; the pieces go to
 *    the same callback as local text, placeholders restored also when split
 *    over pieces;
 *  - fallback: when the cloud cannot answer (no endpoint, connection refused,
 *    timeout, HTTP 5xx after its retries, or a stream cut mid-answer) the
 *    request completes on the local session and the result says so. A cut
 *    answer continues locally from its partial text: the local prompt is the
 *    prompt followed by the text already streamed, so the streamed pieces
 *    read as one answer. Nothing is lost: the call fails only when the local
 *    session fails too (or no local session was given).
 *
 * The cloud's figures (round trip, tokens/s) feed the latency and privacy
 * policies: ea_router_probe() measures them and writes them into the
 * scheduler's "cloud" map pinned under /sys/fs/bpf/edgeai/ when it is there
 * (kmod mode), into the router, and into the probe cache file when one is
 * named (so that `edgeai probe` informs later processes in direct mode).
 *
 * Thread safety: a router belongs to one thread at a time, like a session.
 */

struct ea_router;

/* Direct mode's policy (kmod mode asks the module, whatever this says). */
enum ea_route_policy {
	EA_ROUTE_POLICY_BUILTIN = 0,	/* the module's built-in policy */
	EA_ROUTE_POLICY_LATENCY = 1,	/* tools/sched/latency.bpf.c */
	EA_ROUTE_POLICY_PRIVACY = 2,	/* tools/sched/privacy.bpf.c */
};

/* "builtin", "latency" or "privacy". */
EA_API const char *ea_route_policy_name(enum ea_route_policy policy);

/* Options of ea_router_open(). Zero-initialize, then set what you need. */
struct ea_router_options {
	/* The cloud endpoints' config file (see docs: base_url, model,
	 * api_key_env, timeouts, retries); NULL: no cloud, everything local. */
	const char *cloud_config;
	const char *endpoint;		/* its endpoint's name; NULL: the first */
	bool redact;			/* offload personal data as placeholders */
	enum ea_route_policy policy;	/* direct mode */
	uint32_t model_id;		/* the local model's id for the module, < 16 */
	/* A file holding the last probe's figures: read when the router opens,
	 * written by ea_router_probe(). NULL: none. */
	const char *probe_cache;
};

/*
 * Open a router. @dev may be NULL (direct mode's policy); in kmod mode the
 * module decides. On failure *@out is NULL and @errmsg says why: a config
 * file that cannot be read or is malformed, an unknown endpoint.
 */
EA_API ea_status ea_router_open(struct ea_device *dev, const struct ea_router_options *options,
				struct ea_router **out, char *errmsg, size_t errmsg_size);

/* NULL is a no-op. */
EA_API void ea_router_close(struct ea_router *router);

/* The message of the router's last failure ("" when none). */
EA_API const char *ea_router_error(const struct ea_router *router);

/* The cloud's figures as the policies see them. */
struct ea_cloud_figures {
	double rtt_ms;			/* round trip of GET /models, median */
	double tokens_per_s;		/* one completion's generation speed; 0: unknown */
	bool in_scheduler_map;		/* also written to the pinned "cloud" map */
};

/* Measure the cloud endpoint (@rounds round trips, 1..32) and store it. */
EA_API ea_status ea_router_probe(struct ea_router *router, int rounds,
				 struct ea_cloud_figures *out);

/* Set the figures without measuring (stored the same way). */
EA_API ea_status ea_router_set_cloud(struct ea_router *router, double rtt_ms,
				     double tokens_per_s, struct ea_cloud_figures *out);

/* The request's privacy class, as the module's EDGEAI_PRIVACY_* + 1. */
enum ea_privacy {
	EA_PRIVACY_DETECT = 0,		/* from the personal-data detector */
	EA_PRIVACY_PUBLIC = 1,
	EA_PRIVACY_PERSONAL = 2,	/* may leave redacted */
	EA_PRIVACY_SENSITIVE = 3,	/* never leaves the device */
};

enum ea_route_force {
	EA_ROUTE_ASK = 0,		/* the policy decides */
	EA_ROUTE_FORCE_LOCAL = 1,	/* run locally, no decision asked */
	EA_ROUTE_FORCE_CLOUD = 2,	/* offload (a SENSITIVE request still stays) */
};

/*
 * How the local and the cloud model work on a request.
 *  - EA_COLLAB_ROUTE: one of them runs it, as the policy decides (above).
 *  - EA_COLLAB_SPECULATIVE: the local model drafts, the cloud verifies each
 *    draft in one /completions call over token ids (echo, logprobs,
 *    return_tokens_as_token_ids: fields of OpenAI's and vLLM's APIs): the
 *    text is the cloud model's greedy text, token for token, with fewer
 *    cloud calls than tokens. Greedy only (temperature 0) and only with a
 *    cloud that says it shares the local tokenizer (GET /models:
 *    edgeai.tokenizer_sha256); otherwise, or when the cloud cannot verify,
 *    the request is offloaded plainly (fallback_reason says why). Data that
 *    may not leave, or only redacted, is kept local or offloaded redacted as
 *    for EA_COLLAB_ROUTE.
 *  - EA_COLLAB_CASCADE: the local model scores the prompt (as for
 *    EA_COLLAB_ROUTER), then answers, its text held back. Its confidence in
 *    the answer (per mille) is exp(-sqrt(s_p * s_a)), s_p the prompt's mean
 *    surprisal and s_a the answer's (minus the mean log-probability of its
 *    tokens), both in nats a token: doubtful is an answer to a prompt the
 *    local model found surprising, given with little certainty. The policy
 *    decides with it (kmod mode: a second ROUTE with the confidence, the
 *    attached BPF policy's rule, e.g. cascade's; direct mode:
 *    edgeai_policy_cascade() of uapi/edgeai_policy.h with
 *    cascade_threshold). While the answer grows, the policy sees the most
 *    its confidence can still be at the end (each token to come taken as
 *    certain, over max_tokens): as soon as that is below the floor, local
 *    generation stops and the request goes to the cloud; else the answer's
 *    own confidence decides at its end.
 */

/*
 *  - EA_COLLAB_ROUTER: decide before generating, from the prompt alone: its
 *    length, the local model's mean surprisal of it (the mean negative
 *    log-likelihood of its tokens, scored once: the KV cache then holds the
 *    prompt for a local answer) and the privacy class, by
 *    edgeai_policy_router() with router_ceiling (milli-nats a token) and
 *    router_max_prompt.
 *  - EA_COLLAB_COMPRESS: offload a shorter prompt (LLMLingua-style): the
 *    local model scores each prompt token's surprisal, and the least
 *    surprising tokens are dropped until compress_drop (per mille of the
 *    tokens) are gone, keeping the prompt's first line, its first token and
 *    every token of personal data the detector marks; the cloud gets the
 *    rest as text. Privacy rules as for offload (sensitive stays, personal
 *    data leaves redacted only with redaction on).
 */
enum ea_collab {
	EA_COLLAB_ROUTE = 0,
	EA_COLLAB_SPECULATIVE = 1,
	EA_COLLAB_CASCADE = 2,
	EA_COLLAB_ROUTER = 3,
	EA_COLLAB_COMPRESS = 4,
};

/* Routing features of one request. Zero-initialize: every zero is a default. */
struct ea_route_params {
	enum ea_privacy privacy;
	uint32_t deadline_ms;		/* the answer is wanted within; 0: none */
	bool has_confidence;
	uint32_t confidence;		/* the local answer's expected quality, per mille */
	enum ea_route_force force;
	enum ea_collab collab;
	int draft_tokens;		/* speculative: tokens a draft; 0: adaptive (1 .. 16) */
	uint32_t cascade_threshold;	/* cascade, direct mode: per mille; 0: 500 */
	uint32_t router_ceiling;	/* router: milli-nats a token; 0: 4000 */
	uint32_t router_max_prompt;	/* router: prompt tokens; 0: no limit */
	uint32_t compress_drop;		/* compress: per mille of the prompt's tokens, 0 .. 900 */
};

/* The decisions and reasons of the module (EDGEAI_ROUTE_*, EDGEAI_REASON_*). */
enum ea_route_decision {
	EA_ROUTE_LOCAL = 0,
	EA_ROUTE_CLOUD = 1,
	EA_ROUTE_REJECT = 2,
};

/* "local", "cloud" or "reject". */
EA_API const char *ea_route_decision_name(enum ea_route_decision decision);

/* "default", "privacy", "no_executor", "overload", "deadline", "local_faster",
 * "cloud_faster", "confident", "low_confidence", "power", "policy"; "forced"
 * for EA_ROUTE_REASON_FORCED. */
EA_API const char *ea_route_reason_name(uint32_t reason);

/* The reason of a decision the caller forced (ea_route_params.force). */
#define EA_ROUTE_REASON_FORCED 100u

enum ea_route_where {
	EA_RAN_NOWHERE = 0,		/* the policy rejected it */
	EA_RAN_LOCAL = 1,
	EA_RAN_CLOUD = 2,
	EA_RAN_LOCAL_AFTER_FALLBACK = 3, /* sent to the cloud, completed locally */
};

/* "nowhere", "local", "cloud" or "local after fallback". */
EA_API const char *ea_route_where_name(enum ea_route_where where);

/* What a routed request did. */
struct ea_route_result {
	enum ea_route_decision decision;
	uint32_t reason;		/* EDGEAI_REASON_* or EA_ROUTE_REASON_FORCED */
	uint32_t priority;		/* EDGEAI_PRIORITY_* the policy gave */
	char policy[16];		/* the deciding policy's name ("caller" when forced) */
	bool decided_in_kernel;		/* by DRM_IOCTL_EDGEAI_ROUTE */
	enum ea_privacy privacy;	/* the class the decision saw */
	size_t n_personal;		/* personal-data spans the detector found */
	bool redacted;			/* offloaded with placeholders */
	enum ea_route_where where;
	/* Why the cloud did not answer (fallback), else "". */
	char fallback_reason[256];
	bool cut;			/* the cloud's stream broke after text */
	size_t cloud_bytes;		/* of the text, bytes from the cloud */
	/* The whole answer, NUL-terminated, owned by the router: valid until its
	 * next ea_generate_routed() or ea_router_close(). */
	const char *text;
	size_t text_len;
	enum ea_finish_reason finish_reason;
	int n_generated_tokens;		/* local tokens + the cloud's (its usage, else
					 * the local tokenizer's count of its text) */
	double ttft_ms;			/* call to first text, the decision included */
	double total_ms;
	double tokens_per_s;		/* n_generated_tokens / (total - ttft) */
	/* Speculative decoding (EA_COLLAB_SPECULATIVE, when it ran): */
	bool speculative;
	int verify_calls;		/* cloud calls, each verifying a draft */
	int drafted, accepted;		/* draft tokens sent, and kept as the cloud's */
	int pipelined;			/* drafts made while the previous verify ran, and sent */
	long cloud_prompt_tokens;	/* the verify calls' prompt tokens, all together */
	long cloud_cached_tokens;	/* of them, found in the cloud's KV cache (its usage) */
	/* Cascade (EA_COLLAB_CASCADE): */
	bool cascaded;
	bool escalated;			/* the local answer was doubtful: the cloud answered */
	int local_tokens;		/* tokens the local model generated */
	uint32_t confidence;		/* of the local answer to its prompt, per mille */
	uint32_t answer_confidence;	/* exp(the answer's mean log-probability), per mille */
	/* Cascade, router and compression: */
	uint32_t surprisal;		/* the prompt's, milli-nats a token */
	int prompt_tokens;		/* the prompt's, as the local model counts them */
	int sent_tokens;		/* compress: tokens of the prompt sent */
	size_t prompt_bytes, sent_bytes;	/* compress: the prompt's bytes, and those sent */
};

/*
 * Run @params on the local @session or the router's cloud endpoint, as the
 * decision says (see the DOC above), streaming to @on_text (may be NULL)
 * and filling @result (may be NULL). @route may be NULL (all defaults).
 * @session may be NULL only when the request can go nowhere but the cloud:
 * then a local decision or a fallback fails with EA_ERR_INVALID_ARGUMENT.
 * Errors: the local session's (ea_session_error()), EA_ERR_ACCEL when the
 * module's ROUTE fails; the message is in ea_router_error().
 */
EA_API ea_status ea_generate_routed(struct ea_router *router, struct ea_session *session,
				    const struct ea_generate_params *params,
				    const struct ea_route_params *route, ea_text_fn on_text,
				    void *user, struct ea_route_result *result);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAI_H */
