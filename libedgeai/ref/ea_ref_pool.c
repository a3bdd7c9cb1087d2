// SPDX-License-Identifier: MIT
/* ea_ref_pool - the CPU reference's matrix products, rows split among threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_ref_pool.h"

/* One product, as ea_ref_matmul()'s arguments. */
struct matmul_job {
	float *out;
	const void *W;
	enum ea_type type;
	const float *X;
	int rows, cols, n_tokens;
};

struct worker {
	struct ea_ref_pool *pool;
	pthread_t thread;
	int index;		/* 1 .. n_threads - 1; the caller is 0 */
};

struct ea_ref_pool {
	int n_threads;
	struct worker *workers;	/* n_threads - 1 */
	int n_started;
	pthread_mutex_t lock;
	pthread_cond_t start;	/* a new job (or quit) */
	pthread_cond_t done;	/* a worker finished its part */
	struct matmul_job job;
	unsigned long generation; /* bumped for each job */
	int n_finished;		/* workers done with this generation's job */
	bool quit;
};

ea_status ea_ref_default_threads(int *n_threads, struct ea_error *err)
{
	const char *env = getenv("EDGEAI_THREADS");
	long online;

	if (env) {
		char *end;
		long v = strtol(env, &end, 10);

		if (!*env || *end || v < 1 || v > EA_REF_MAX_THREADS)
			return ea_error_set(err, EA_ERR_BAD_ENVIRONMENT, "EDGEAI_THREADS='%s': not "
					    "a thread count (1 .. %d)", env, EA_REF_MAX_THREADS);
		*n_threads = (int)v;
		return EA_OK;
	}
	online = sysconf(_SC_NPROCESSORS_ONLN);
	*n_threads = online < 1 ? 1 : online > EA_REF_MAX_THREADS ? EA_REF_MAX_THREADS :
		     (int)online;
	return EA_OK;
}

/* Part @index of @n of the job's rows. */
static void run_part(const struct matmul_job *j, int index, int n)
{
	int begin = (int)((long)j->rows * index / n), end = (int)((long)j->rows * (index + 1) / n);

	ea_ref_matmul_rows(j->out, j->W, j->type, j->X, j->rows, j->cols, j->n_tokens, begin, end);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ea_ref_pool *p = w->pool;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->generation == seen && !p->quit)
			pthread_cond_wait(&p->start, &p->lock);
		if (p->quit)
			break;
		seen = p->generation;
		struct matmul_job job = p->job;

		pthread_mutex_unlock(&p->lock);
		run_part(&job, w->index, p->n_threads);
		pthread_mutex_lock(&p->lock);
		if (++p->n_finished == p->n_threads - 1)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

ea_status ea_ref_pool_new(int n_threads, struct ea_ref_pool **out, struct ea_error *err)
{
	struct ea_ref_pool *p;

	*out = NULL;
	if (n_threads < 1 || n_threads > EA_REF_MAX_THREADS)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT,
				    "%d threads: the CPU reference runs on 1 .. %d", n_threads,
				    EA_REF_MAX_THREADS);
	p = calloc(1, sizeof(*p));
	if (p)
		p->workers = calloc((size_t)n_threads, sizeof(*p->workers));
	if (!p || !p->workers) {
		free(p);
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory for %d threads",
				    n_threads);
	}
	p->n_threads = n_threads;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->start, NULL);
	pthread_cond_init(&p->done, NULL);
	for (int i = 1; i < n_threads; i++) {
		struct worker *w = &p->workers[i - 1];
		int rc;

		w->pool = p;
		w->index = i;
		rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc) {
			ea_ref_pool_free(p);
			return ea_error_set(err, EA_ERR_NO_MEMORY, "cannot start CPU reference "
					    "thread %d of %d: %s", i + 1, n_threads, strerror(rc));
		}
		p->n_started++;
	}
	*out = p;
	return EA_OK;
}

void ea_ref_pool_free(struct ea_ref_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->n_started; i++)
		pthread_join(p->workers[i].thread, NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->start);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p);
}

int ea_ref_pool_threads(const struct ea_ref_pool *p)
{
	return p ? p->n_threads : 1;
}

void ea_ref_pool_matmul(struct ea_ref_pool *p, float *out, const void *W, enum ea_type type,
			const float *X, int rows, int cols, int n_tokens)
{
	struct matmul_job job = { out, W, type, X, rows, cols, n_tokens };

	if (!p || p->n_threads == 1) {
		run_part(&job, 0, 1);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->job = job;
	p->n_finished = 0;
	p->generation++;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);

	run_part(&job, 0, p->n_threads);

	pthread_mutex_lock(&p->lock);
	while (p->n_finished < p->n_threads - 1)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}
