/* SPDX-License-Identifier: MIT */
/* ea_backend_direct - the direct engine's executor, for what measures it (edgeai bench). */
#ifndef EA_BACKEND_DIRECT_H
#define EA_BACKEND_DIRECT_H

#include "ea_backend.h"
#include "ea_exec.h"

/* The executor of a direct engine (ea_backend_direct_new()); NULL for another
 * engine. Its traffic and profile are those of the engine's runs. */
struct ea_exec *ea_backend_direct_exec(struct ea_backend *e);

#endif /* EA_BACKEND_DIRECT_H */
