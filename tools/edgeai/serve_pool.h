/* SPDX-License-Identifier: MIT */
/*
 * serve_pool.h - the workers of `edgeai serve`: N threads, each with its own
 * ea_session of the one shared model (and, on Vulkan, its own device, since
 * sessions of one device may not run at once), fed from a bounded queue.
 *
 * A job is one generation request. The HTTP side submits it, then reads its
 * text as it grows (streaming) or waits for its end; a worker runs it. A job
 * is reference-counted: each side drops its reference when done with it.
 */
#ifndef SERVE_POOL_H
#define SERVE_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "edgeai.h"

struct serve_pool;
struct serve_job;

struct serve_pool_options {
	const struct ea_model *model;
	int n_sessions;			/* worker threads, one session each */
	int queue;			/* jobs that may wait for a worker */
	enum ea_engine engine;		/* EA_ENGINE_CPU or EA_ENGINE_VULKAN */
	struct ea_open_options device;	/* for Vulkan: each worker opens one */
};

/* Open every session and start the workers; on failure @err says why. */
ea_status serve_pool_start(const struct serve_pool_options *o, struct serve_pool **out,
			   char *err, size_t errsz);

/* "Vulkan" or "CPU reference". */
const char *serve_pool_engine(const struct serve_pool *pool);

/* A new job for @params (copied, with the prompt and stop strings; NULL when
 * out of memory). The caller holds one reference. */
struct serve_job *serve_job_new(const struct ea_generate_params *params);
void serve_job_get(struct serve_job *job);
void serve_job_put(struct serve_job *job);

enum serve_submit {
	SERVE_SUBMITTED,
	SERVE_QUEUE_FULL,	/* every worker busy and the queue full */
	SERVE_STOPPING,		/* the server is shutting down */
};

/* Queue @job (the pool takes its own reference when it is accepted). */
enum serve_submit serve_pool_submit(struct serve_pool *pool, struct serve_job *job);

/* Ask a job to stop: its generation ends at the next token (cancelled). */
void serve_job_cancel(struct serve_job *job);

/* What a reader of a growing job has not taken yet. */
struct serve_job_news {
	char *text;		/* malloc'd: the new text (whole UTF-8 characters, as
				 * ea_generate() streams them); NULL when none */
	size_t len;
	struct ea_token_logprob *records;	/* malloc'd: the new log-probability
						 * records; NULL when none */
	int n_records;
	bool finished;		/* the job is over and all of it taken */
};

/*
 * Wait until @job has text beyond byte @offset or, with logprobs, records
 * beyond its first @n_records, or has finished; then copy what is new into
 * @news (free its text and records). A job with logprobs has a record for
 * each token as soon as ea_generate() knows it (edgeai.h: on_token), so
 * before that token's text. False, with nothing in @news, when out of memory.
 */
bool serve_job_read(struct serve_job *job, size_t offset, int n_records,
		    struct serve_job_news *news);

/* Wait until @job has finished. */
void serve_job_wait(struct serve_job *job);

/*
 * For a reader that must not block its thread (an HTTP worker serving many
 * connections): true when @job has finished, or (unless @finished_only) has
 * text beyond @offset or records beyond @n_records; else @sleep(@arg) is
 * called (the reader's connection suspended) and @wake(@arg) will be, once,
 * at the job's next change. Both run under the job's lock, so a change can
 * never come between the check and the sleep, nor a wake before its sleep.
 */
typedef void (*serve_job_wake_fn)(void *arg);
bool serve_job_sleep_unless(struct serve_job *job, bool finished_only, size_t offset,
			    int n_records, serve_job_wake_fn sleep, serve_job_wake_fn wake,
			    void *arg);

/* No wake for @job's sleeper after all (its reader is going away). */
void serve_job_forget_sleeper(struct serve_job *job);

/* How a finished job ended: its status (EA_OK, or the failure with @message)
 * and result; text is the whole generated text. */
struct serve_outcome {
	ea_status status;
	const char *message;
	const char *text;
	size_t text_len;
	enum ea_finish_reason finish_reason;
	int n_prompt_tokens;
	int n_generated_tokens;
	int n_cached_tokens;		/* of the prompt's, found in the worker's KV cache */
	const struct ea_token_logprob *logprobs;	/* with logprobs: the job's records */
	int n_logprobs, n_echoed;
};

/* The outcome of @job, valid while the caller holds its reference; false
 * (and nothing in @out) when it has not finished yet. */
bool serve_job_outcome(struct serve_job *job, struct serve_outcome *out);

/*
 * Stop taking jobs, and wait up to @timeout_ms for the queued and running
 * ones to finish; then cancel the rest (queued ones end as cancelled without
 * running) and give them a few seconds more. Returns how many it cancelled,
 * or -1 when some job did not end even then (a worker is stuck: do not call
 * serve_pool_stop()).
 */
int serve_pool_drain(struct serve_pool *pool, int timeout_ms);

/* Join the workers (after serve_pool_drain()) and close everything. */
void serve_pool_stop(struct serve_pool *pool);

#endif /* SERVE_POOL_H */
