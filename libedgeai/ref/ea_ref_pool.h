/* SPDX-License-Identifier: MIT */
/*
 * ea_ref_pool - threads for the CPU reference's matrix products. A product's
 * output rows are cut into one contiguous range per thread; each value is
 * computed as ea_ref_matmul() computes it, so the result has the same bits
 * for any number of threads. The calling thread works on the first range.
 *
 * Thread safety: a pool belongs to one thread at a time (the one that calls
 * ea_ref_pool_matmul()); its workers are its own.
 */
#ifndef EA_REF_POOL_H
#define EA_REF_POOL_H

#include <stddef.h>

#include "ea_error.h"
#include "ea_ref.h"

struct ea_ref_pool;

/*
 * The thread count to use when none is asked for: EDGEAI_THREADS when set
 * (a whole number, 1 .. EA_REF_MAX_THREADS), else the online CPUs. A bad
 * EDGEAI_THREADS: EA_ERR_BAD_ENVIRONMENT and why in @err.
 */
#define EA_REF_MAX_THREADS 256
ea_status ea_ref_default_threads(int *n_threads, struct ea_error *err);

/* A pool of @n_threads (1 .. EA_REF_MAX_THREADS; 1 starts no thread). */
ea_status ea_ref_pool_new(int n_threads, struct ea_ref_pool **out, struct ea_error *err);

/* Stop the workers and free the pool. NULL is a no-op. */
void ea_ref_pool_free(struct ea_ref_pool *p);

int ea_ref_pool_threads(const struct ea_ref_pool *p);

/* ea_ref_matmul() on the pool's threads (a NULL pool: on the caller's). */
void ea_ref_pool_matmul(struct ea_ref_pool *p, float *out, const void *W,
			       enum ea_type type, const float *X, int rows, int cols,
			       int n_tokens);

#endif /* EA_REF_POOL_H */
