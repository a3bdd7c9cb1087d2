// SPDX-License-Identifier: MIT
/*
 * The queue of `edgeai serve`'s worker pool (tools/edgeai/serve_pool.c, built
 * into this test so that its static functions can be driven by hand, without
 * threads or a model): a request that arrives while an older one waits for any
 * worker queues behind it, even when a worker has just come free and is not
 * yet back at the queue (the keep-alive client it just answered must not
 * overtake); with nobody waiting, a new request still gets the idle worker
 * whose KV cache holds the longest prefix of its prompt.
 */
#include "../../tools/edgeai/serve_pool.c"

#include "ea_tap.h"

static struct serve_job *job_of(const int32_t *ids, int n)
{
	struct ea_generate_params p = { .prompt_tokens = ids, .n_prompt_tokens = n,
					.max_tokens = 1 };

	return serve_job_new(&p);
}

int main(void)
{
	static const int32_t a[] = { 1, 2, 3 }, b[] = { 7, 8, 9 };
	int32_t history[3] = { 7, 8, 9 };
	struct ea_session s0 = { 0 }, s1 = { .history = history, .n_history = 3 };
	struct serve_pool pool = { .queue_cap = 8, .n_workers = 2 };
	struct worker w[2] = { { .pool = &pool, .session = &s0 }, { .pool = &pool, .session = &s1 } };
	struct serve_job *busy = job_of(a, 3), *older = job_of(a, 3), *newer = job_of(a, 3);
	struct serve_job *taken, *cached, *taken2;
	struct tap t = { 0 };

	tap_plan(&t, 4);
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.work, NULL);
	pthread_cond_init(&pool.quiet, NULL);
	pool.workers = w;
	/* Both workers busy; a request queues for whichever comes free first. */
	w[0].current = w[1].current = busy;
	pool.n_busy = 2;
	serve_pool_submit(&pool, older);
	tap_ok(&t, !older->for_worker && pool.head == older,
	       "all workers busy: the request waits for any worker");
	/* Worker 0 finishes (idle before its client hears of the end, as
	 * worker_main() does it), and that client's next request arrives before
	 * the worker is back at the queue. */
	w[0].current = NULL;
	pool.n_busy--;
	pool.n_idle++;
	serve_pool_submit(&pool, newer);
	tap_ok(&t, !newer->for_worker && !w[0].reserved && pool.tail == newer,
	       "a request arriving while an older one waits gets no worker of its own "
	       "(worker reserved: %s)", w[0].reserved == newer ? "the new request" : "none");
	taken = take_job(&pool, &w[0]);
	taken2 = take_job(&pool, &w[0]);
	tap_ok(&t, taken == older && taken2 == newer, "the free worker takes the older request "
	       "first, then the newer (%s, %s)", taken == older ? "older" : "newer",
	       taken2 == newer ? "newer" : taken2 == older ? "older" : "none");
	/* Nobody waits: prefix caching picks the worker that holds the prompt. */
	w[0].current = w[1].current = NULL;
	pool.n_busy = 0;
	pool.n_idle = 2;
	pool.n_waiting = 0;
	cached = job_of(b, 3);
	serve_pool_submit(&pool, cached);
	tap_ok(&t, cached->for_worker == &w[1] && w[1].reserved == cached,
	       "with nobody waiting, a request goes to the idle worker holding its prompt");
	serve_job_put(cached);	/* the queue's reference */
	serve_job_put(cached);
	serve_job_put(older);
	serve_job_put(older);
	serve_job_put(newer);
	serve_job_put(newer);
	serve_job_put(busy);
	return tap_done(&t);
}
