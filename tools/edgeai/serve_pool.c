// SPDX-License-Identifier: MIT
/*
 * serve_pool - worker threads, one ea_session each, taking jobs from a
 * bounded FIFO queue; jobs whose text grows under a lock and a condition
 * variable that the HTTP side waits on.
 */
#include "serve_pool.h"

#include "ea_session.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* After a drain's deadline, how long cancelled jobs get to end. */
#define CANCEL_GRACE_MS 5000

struct serve_job {
	pthread_mutex_t lock;
	pthread_cond_t changed;		/* more text, or finished */
	int refs;
	atomic_bool cancelled;
	struct ea_generate_params params;
	char *prompt;
	int32_t *prompt_tokens;
	char *stop[EA_MAX_STOP_STRINGS];
	/* Under lock: */
	char *text;
	size_t len, cap;
	struct ea_token_logprob *records;	/* with logprobs: from on_token, as they come */
	int n_records, records_cap;
	bool finished;
	bool out_of_memory;
	serve_job_wake_fn wake;		/* a reader asleep until the job changes */
	void *wake_arg;
	ea_status status;
	char message[512];
	struct ea_generate_result result;
	struct ea_token_logprob *logprobs;	/* the result's, copied off the session */
	int32_t *tokens;		/* the prompt's, to find the session caching them */
	size_t n_tokens;
	/* Under the pool's lock: */
	struct serve_job *next;
	struct worker *for_worker;	/* the idle worker chosen for it; NULL: any */
};

/* Under the job's lock: tell its readers it changed (waiting and asleep). */
static void changed(struct serve_job *job)
{
	serve_job_wake_fn wake = job->wake;

	pthread_cond_broadcast(&job->changed);
	job->wake = NULL;
	if (wake)
		wake(job->wake_arg);
}

struct worker {
	struct serve_pool *pool;
	pthread_t thread;
	bool running;
	struct ea_device *dev;
	struct ea_session *session;
	struct serve_job *current;	/* under the pool's lock */
	struct serve_job *reserved;	/* under the pool's lock: a job chosen for it */
	uint64_t last_used;		/* under the pool's lock: the pool's clock */
};

struct serve_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a job was queued, or exiting */
	pthread_cond_t quiet;		/* nothing queued or running */
	struct serve_job *head, *tail;
	int n_waiting, n_idle, n_busy;
	int queue_cap;
	bool stopping;			/* no new jobs */
	bool exiting;			/* workers return */
	int n_workers;
	struct worker *workers;
	const struct ea_model *model;
	uint64_t clock;			/* counts jobs taken */
};

/* ---- jobs ---------------------------------------------------------------- */

static int on_token(const struct ea_token_logprob *token, void *user);

struct serve_job *serve_job_new(const struct ea_generate_params *params)
{
	struct serve_job *job = calloc(1, sizeof(*job));
	size_t len = !params->prompt ? 0 : params->prompt_len ? params->prompt_len :
		     strlen(params->prompt);
	size_t n_ids = params->prompt_tokens ? (size_t)params->n_prompt_tokens : 0;

	if (!job)
		return NULL;
	pthread_mutex_init(&job->lock, NULL);
	pthread_cond_init(&job->changed, NULL);
	job->refs = 1;
	job->params = *params;
	job->prompt = malloc(len + 1);
	if (job->prompt && params->prompt) {
		memcpy(job->prompt, params->prompt, len);
		job->prompt[len] = '\0';
	}
	job->params.prompt = params->prompt ? job->prompt : NULL;
	job->params.prompt_len = len;
	if (n_ids) {
		job->prompt_tokens = malloc(n_ids * sizeof(*job->prompt_tokens));
		if (job->prompt_tokens)
			memcpy(job->prompt_tokens, params->prompt_tokens,
			       n_ids * sizeof(*job->prompt_tokens));
		job->params.prompt_tokens = job->prompt_tokens;
	}
	for (int i = 0; i < params->n_stop && job->prompt; i++) {
		job->stop[i] = strdup(params->stop[i]);
		if (!job->stop[i])
			job->params.n_stop = i;
	}
	job->params.stop = (const char *const *)job->stop;
	if (params->logprobs) {
		job->params.on_token = on_token;
		job->params.token_user = job;
	}
	if (!job->prompt || (n_ids && !job->prompt_tokens) ||
	    job->params.n_stop != params->n_stop) {
		serve_job_put(job);
		return NULL;
	}
	return job;
}

void serve_job_put(struct serve_job *job)
{
	int left;

	if (!job)
		return;
	pthread_mutex_lock(&job->lock);
	left = --job->refs;
	pthread_mutex_unlock(&job->lock);
	if (left)
		return;
	pthread_mutex_destroy(&job->lock);
	pthread_cond_destroy(&job->changed);
	free(job->prompt);
	free(job->prompt_tokens);
	for (int i = 0; i < EA_MAX_STOP_STRINGS; i++)
		free(job->stop[i]);
	free(job->text);
	free(job->records);
	free(job->logprobs);
	free(job->tokens);
	free(job);
}

void serve_job_get(struct serve_job *job)
{
	pthread_mutex_lock(&job->lock);
	job->refs++;
	pthread_mutex_unlock(&job->lock);
}

void serve_job_cancel(struct serve_job *job)
{
	atomic_store(&job->cancelled, true);
}

bool serve_job_read(struct serve_job *job, size_t offset, int n_records,
		    struct serve_job_news *news)
{
	bool ok = true;

	memset(news, 0, sizeof(*news));
	pthread_mutex_lock(&job->lock);
	while (job->len <= offset && job->n_records <= n_records && !job->finished)
		pthread_cond_wait(&job->changed, &job->lock);
	if (job->len > offset) {
		news->len = job->len - offset;
		news->text = malloc(news->len);
		ok = news->text;
		if (ok)
			memcpy(news->text, job->text + offset, news->len);
	}
	if (ok && job->n_records > n_records) {
		news->n_records = job->n_records - n_records;
		news->records = malloc((size_t)news->n_records * sizeof(*news->records));
		ok = news->records;
		if (ok)
			memcpy(news->records, job->records + n_records,
			       (size_t)news->n_records * sizeof(*news->records));
	}
	news->finished = job->finished;
	pthread_mutex_unlock(&job->lock);
	if (!ok) {
		free(news->text);
		memset(news, 0, sizeof(*news));
	}
	return ok;
}

bool serve_job_sleep_unless(struct serve_job *job, bool finished_only, size_t offset,
			    int n_records, serve_job_wake_fn sleep, serve_job_wake_fn wake,
			    void *arg)
{
	bool ready;

	pthread_mutex_lock(&job->lock);
	ready = job->finished ||
		(!finished_only && (job->len > offset || job->n_records > n_records));
	if (!ready) {
		sleep(arg);
		job->wake = wake;
		job->wake_arg = arg;
	}
	pthread_mutex_unlock(&job->lock);
	return ready;
}

void serve_job_forget_sleeper(struct serve_job *job)
{
	pthread_mutex_lock(&job->lock);
	job->wake = NULL;
	pthread_mutex_unlock(&job->lock);
}

void serve_job_wait(struct serve_job *job)
{
	pthread_mutex_lock(&job->lock);
	while (!job->finished)
		pthread_cond_wait(&job->changed, &job->lock);
	pthread_mutex_unlock(&job->lock);
}

bool serve_job_outcome(struct serve_job *job, struct serve_outcome *out)
{
	bool finished;

	pthread_mutex_lock(&job->lock);
	finished = job->finished;
	pthread_mutex_unlock(&job->lock);
	if (!finished)
		return false;
	*out = (struct serve_outcome){
		.status = job->status,
		.message = job->message,
		.text = job->text ? job->text : "",
		.text_len = job->len,
		.finish_reason = job->result.finish_reason,
		.n_prompt_tokens = job->result.n_prompt_tokens,
		.n_generated_tokens = job->result.n_generated_tokens,
		.n_cached_tokens = job->result.n_cached_tokens,
		.logprobs = job->result.logprobs,
		.n_logprobs = job->result.n_logprobs,
		.n_echoed = job->result.n_echoed,
	};
	return true;
}

/* ea_generate's stream callback: append, wake the reader, say if cancelled. */
static int on_text(const char *text, size_t len, void *user)
{
	struct serve_job *job = user;
	int stop = 0;

	pthread_mutex_lock(&job->lock);
	if (job->len + len + 1 > job->cap) {
		size_t cap = (job->len + len + 1) * 2;
		char *grown = realloc(job->text, cap);

		if (!grown) {
			job->out_of_memory = true;
			stop = 1;
		} else {
			job->text = grown;
			job->cap = cap;
		}
	}
	if (!stop) {
		memcpy(job->text + job->len, text, len);
		job->len += len;
		job->text[job->len] = '\0';
		changed(job);
	}
	pthread_mutex_unlock(&job->lock);
	return stop || atomic_load(&job->cancelled);
}

/* ea_generate's token callback: keep the record, wake the reader, say if cancelled. */
static int on_token(const struct ea_token_logprob *token, void *user)
{
	struct serve_job *job = user;
	int stop = 0;

	pthread_mutex_lock(&job->lock);
	if (job->n_records == job->records_cap) {
		int cap = job->records_cap ? job->records_cap * 2 : 64;
		struct ea_token_logprob *grown = realloc(job->records,
							 (size_t)cap * sizeof(*grown));

		if (!grown) {
			job->out_of_memory = true;
			stop = 1;
		} else {
			job->records = grown;
			job->records_cap = cap;
		}
	}
	if (!stop) {
		job->records[job->n_records++] = *token;
		changed(job);
	}
	pthread_mutex_unlock(&job->lock);
	return stop || atomic_load(&job->cancelled);
}

static void finish(struct serve_job *job, ea_status status, const char *message,
		   const struct ea_generate_result *r)
{
	pthread_mutex_lock(&job->lock);
	job->status = job->out_of_memory ? EA_ERR_NO_MEMORY : status;
	snprintf(job->message, sizeof(job->message), "%s",
		 job->out_of_memory ? "out of memory for the text or its records" : message);
	job->result = *r;
	/* The records live in the worker's session until its next request. */
	job->result.logprobs = NULL;
	if (r->n_logprobs && status == EA_OK) {
		job->logprobs = malloc((size_t)r->n_logprobs * sizeof(*job->logprobs));
		if (job->logprobs) {
			memcpy(job->logprobs, r->logprobs,
			       (size_t)r->n_logprobs * sizeof(*job->logprobs));
			job->result.logprobs = job->logprobs;
		} else {
			job->status = EA_ERR_NO_MEMORY;
			snprintf(job->message, sizeof(job->message), "out of memory for the "
				 "log-probabilities");
		}
	}
	job->finished = true;
	changed(job);
	pthread_mutex_unlock(&job->lock);
}


/* ---- the pool ------------------------------------------------------------ */

/* The first queued job @w may take: its own, or one for any worker when it
 * has none reserved; unlinked from the queue (under the pool's lock). */
static struct serve_job *take_job(struct serve_pool *pool, struct worker *w)
{
	struct serve_job **link = &pool->head, *prev = NULL;

	for (struct serve_job *job = pool->head; job; prev = job, job = job->next) {
		if (job->for_worker != w && (job->for_worker || w->reserved)) {
			link = &job->next;
			continue;
		}
		*link = job->next;
		if (pool->tail == job)
			pool->tail = prev;
		if (w->reserved == job)
			w->reserved = NULL;
		return job;
	}
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct serve_pool *pool = w->pool;
	struct ea_generate_result r;
	struct serve_job *job;
	ea_status st;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (!(job = take_job(pool, w)) && !pool->exiting)
			pthread_cond_wait(&pool->work, &pool->lock);
		if (!job)
			break;
		w->last_used = ++pool->clock;
		pool->n_waiting--;
		pool->n_idle--;
		pool->n_busy++;
		w->current = job;
		pthread_mutex_unlock(&pool->lock);

		r = (struct ea_generate_result){ .finish_reason = EA_FINISH_CANCELLED };
		st = EA_OK;
		if (!atomic_load(&job->cancelled))
			st = ea_generate(w->session, &job->params, on_text, job, &r);

		/* Idle again before the client hears of the end, so that its
		 * next request finds this worker free. */
		pthread_mutex_lock(&pool->lock);
		w->current = NULL;
		pool->n_busy--;
		pool->n_idle++;
		pthread_mutex_unlock(&pool->lock);
		finish(job, st, st == EA_OK ? "" : ea_session_error(w->session), &r);
		serve_job_put(job);
		pthread_mutex_lock(&pool->lock);
		if (!pool->n_busy && !pool->head)
			pthread_cond_broadcast(&pool->quiet);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/* Threads of the CPU reference per session: the CPUs shared out. */
static int threads_per_session(int n_sessions)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (getenv("EDGEAI_THREADS"))
		return 0;
	return cpus > n_sessions ? (int)(cpus / n_sessions) : 1;
}

static ea_status open_worker(const struct serve_pool_options *o, struct worker *w,
			     char *err, size_t errsz)
{
	struct ea_session_options so = { .engine = o->engine,
					 .n_threads = threads_per_session(o->n_sessions) };
	char why[1024];
	ea_status st;

	if (o->engine != EA_ENGINE_CPU) {
		st = ea_open(&o->device, &w->dev, why, sizeof(why));
		if (st != EA_OK) {
			snprintf(err, errsz, "cannot open the device: %s: %s", ea_strerror(st), why);
			return st;
		}
	}
	st = ea_session_open(w->dev, o->model, &so, &w->session, why, sizeof(why));
	if (st != EA_OK)
		snprintf(err, errsz, "cannot open a session: %s: %s%s", ea_strerror(st), why,
			 w->dev ? " (--cpu runs the CPU reference)" : "");
	return st;
}

ea_status serve_pool_start(const struct serve_pool_options *o, struct serve_pool **out,
			   char *err, size_t errsz)
{
	struct serve_pool *pool = calloc(1, sizeof(*pool));
	ea_status st = EA_OK;

	*out = NULL;
	if (pool)
		pool->workers = calloc((size_t)o->n_sessions, sizeof(*pool->workers));
	if (!pool || !pool->workers) {
		free(pool);
		snprintf(err, errsz, "out of memory");
		return EA_ERR_NO_MEMORY;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->quiet, NULL);
	pool->queue_cap = o->queue;
	pool->n_workers = o->n_sessions;
	pool->model = o->model;
	for (int i = 0; i < o->n_sessions && st == EA_OK; i++) {
		pool->workers[i].pool = pool;
		st = open_worker(o, &pool->workers[i], err, errsz);
	}
	for (int i = 0; i < o->n_sessions && st == EA_OK; i++) {
		if (pthread_create(&pool->workers[i].thread, NULL, worker_main, &pool->workers[i])) {
			snprintf(err, errsz, "cannot start a worker thread");
			st = EA_ERR_NO_MEMORY;
			break;
		}
		pool->workers[i].running = true;
		pool->n_idle++;
	}
	if (st != EA_OK) {
		serve_pool_stop(pool);
		return st;
	}
	*out = pool;
	return EA_OK;
}

const char *serve_pool_engine(const struct serve_pool *pool)
{
	return ea_session_engine(pool->workers[0].session);
}

/* The prompt's tokens, as ea_generate() will see them; none when they cannot be had. */
static void tokenize(const struct serve_pool *pool, struct serve_job *job)
{
	const struct ea_generate_params *p = &job->params;
	size_t n = 0;

	if (p->prompt_tokens) {
		n = (size_t)p->n_prompt_tokens;
		job->tokens = malloc(n * sizeof(*job->tokens));
		if (job->tokens)
			memcpy(job->tokens, p->prompt_tokens, n * sizeof(*job->tokens));
	} else if (ea_tokenize(pool->model, p->prompt, p->prompt_len, p->flags, NULL, 0, &n) ==
		   EA_OK && n) {
		job->tokens = malloc(n * sizeof(*job->tokens));
		if (job->tokens && ea_tokenize(pool->model, p->prompt, p->prompt_len, p->flags,
					       job->tokens, n, &n) != EA_OK)
			n = 0;
	}
	job->n_tokens = job->tokens ? n : 0;
}

/* Tokens of @job's prompt that @w's KV cache holds. */
static size_t cached_for(const struct worker *w, const struct serve_job *job)
{
	const struct ea_session *s = w->session;
	size_t n = 0;

	while (n < job->n_tokens && n < (size_t)s->n_history && s->history[n] == job->tokens[n])
		n++;
	return n;
}

/* Prefix caching across workers: the idle worker whose KV cache holds the
 * longest prefix of @job's prompt, else the one least recently used (under
 * the pool's lock). NULL when none is idle and free. */
static struct worker *choose_worker(struct serve_pool *pool, const struct serve_job *job)
{
	struct worker *best = NULL;
	size_t best_n = 0;

	for (int i = 0; i < pool->n_workers; i++) {
		struct worker *w = &pool->workers[i];
		size_t n;

		if (w->current || w->reserved || !w->session)
			continue;
		n = cached_for(w, job);
		if (!best || n > best_n || (n == best_n && w->last_used < best->last_used)) {
			best = w;
			best_n = n;
		}
	}
	return best;
}

/* Whether a queued job waits for whichever worker comes free first (under the
 * pool's lock). While one does, a new job gets no worker of its own: a worker
 * that has just finished would otherwise go to the next request of the client
 * it just answered (its keep-alive connection sends it at once, before the
 * worker is back in take_job()) and the older jobs would wait on and on. */
static bool unassigned_waiting(const struct serve_pool *pool)
{
	for (const struct serve_job *job = pool->head; job; job = job->next)
		if (!job->for_worker)
			return true;
	return false;
}

enum serve_submit serve_pool_submit(struct serve_pool *pool, struct serve_job *job)
{
	enum serve_submit res = SERVE_SUBMITTED;

	tokenize(pool, job);
	pthread_mutex_lock(&pool->lock);
	if (pool->stopping) {
		res = SERVE_STOPPING;
	} else if (pool->n_waiting >= pool->n_idle + pool->queue_cap) {
		res = SERVE_QUEUE_FULL;
	} else {
		serve_job_get(job);
		job->next = NULL;
		job->for_worker = unassigned_waiting(pool) ? NULL : choose_worker(pool, job);
		if (job->for_worker)
			job->for_worker->reserved = job;
		if (pool->tail)
			pool->tail->next = job;
		else
			pool->head = job;
		pool->tail = job;
		pool->n_waiting++;
		pthread_cond_broadcast(&pool->work);
	}
	pthread_mutex_unlock(&pool->lock);
	return res;
}


/* Wait until nothing is queued or running, or @deadline passes. */
static bool wait_quiet(struct serve_pool *pool, const struct timespec *deadline)
{
	int rc = 0;

	while ((pool->head || pool->n_busy) && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&pool->quiet, &pool->lock, deadline);
	return !pool->head && !pool->n_busy;
}

static struct timespec after_ms(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

int serve_pool_drain(struct serve_pool *pool, int timeout_ms)
{
	struct timespec deadline = after_ms(timeout_ms);
	int cancelled = 0;

	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	if (!wait_quiet(pool, &deadline)) {
		for (struct serve_job *job = pool->head; job; job = job->next, cancelled++)
			serve_job_cancel(job);
		for (int i = 0; i < pool->n_workers; i++) {
			if (pool->workers[i].current) {
				serve_job_cancel(pool->workers[i].current);
				cancelled++;
			}
		}
		deadline = after_ms(CANCEL_GRACE_MS);
		if (!wait_quiet(pool, &deadline))
			cancelled = -1;
	}
	pthread_mutex_unlock(&pool->lock);
	return cancelled;
}

void serve_pool_stop(struct serve_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pool->exiting = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 0; i < pool->n_workers; i++) {
		struct worker *w = &pool->workers[i];

		if (w->running)
			pthread_join(w->thread, NULL);
		ea_session_close(w->session);
		ea_close(w->dev);
	}
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->work);
	pthread_cond_destroy(&pool->quiet);
	free(pool->workers);
	free(pool);
}
