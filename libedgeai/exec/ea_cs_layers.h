/* SPDX-License-Identifier: MIT */
/*
 * ea_cs_layers - which transformer layer each op of a program belongs to,
 * for profiles (edgeai prof's layers on the GPU track). A stream does not
 * say, but every program the builder makes has one shape, read back here:
 * the residual stream is the span the EMBED op writes, and layer i holds the
 * ops after the last write of the residual before the i-th ATTENTION, up to
 * and including the last write before the next ATTENTION (for the last
 * layer: the last write of the residual at all). The ops before the first
 * layer (the embedding) and after the last (the final norm and logits,
 * argmax, last_row, ...) are in none.
 */
#ifndef EA_CS_LAYERS_H
#define EA_CS_LAYERS_H

#include <stdint.h>

#include "edgeai_cmdstream.h"

/* Each of the @n ops' layer into @layer[] (-1: in none); the number of
 * layers, 0 (every op -1) for a program without that shape. */
uint32_t ea_cs_layers(const struct ea_cs_op *ops, uint32_t n, int32_t *layer);

#endif /* EA_CS_LAYERS_H */
