// SPDX-License-Identifier: MIT
/* ea_cs_layers - the layer of each op of a program (see the header). */
#include <stdbool.h>

#include "ea_cs_layers.h"
#include "ea_op_table.h"

static bool overlaps(struct ea_cs_ref a, struct ea_cs_ref b)
{
	return a.bytes && b.bytes && a.buffer == b.buffer && a.offset < b.offset + b.bytes &&
	       b.offset < a.offset + a.bytes;
}

/* Whether @op writes a span that overlaps @residual. */
static bool writes(const struct ea_cs_op *op, struct ea_cs_ref residual)
{
	for (int i = 0; i < EA_CS_MAX_REFS; i++)
		if (ea_op_writes(op, i) && overlaps(op->ref[i], residual))
			return true;
	return false;
}

/* Ops @first .. @last belong to @l. */
static void mark(int32_t *layer, int64_t first, int64_t last, uint32_t l)
{
	for (int64_t k = first; k <= last; k++)
		layer[k] = (int32_t)l;
}

uint32_t ea_cs_layers(const struct ea_cs_op *ops, uint32_t n, int32_t *layer)
{
	struct ea_cs_ref residual = { 0 };
	int64_t last_write = -1, start = -1;	/* the open layer's first op - 1 */
	uint32_t n_layers = 0;
	bool embedded = false;

	for (uint32_t j = 0; j < n; j++)
		layer[j] = -1;
	for (uint32_t j = 0; j < n; j++) {
		if (!embedded && ops[j].opcode == EA_CS_EMBED) {
			residual = ops[j].ref[2];
			embedded = true;
		} else if (embedded && ops[j].opcode == EA_CS_ATTENTION) {
			if (last_write < 0 || (n_layers && last_write <= start))
				goto none;	/* no residual write between two attentions */
			if (n_layers)	/* the layer before ends at its last write */
				mark(layer, start + 1, last_write, n_layers - 1);
			start = last_write;
			n_layers++;
		}
		if (embedded && writes(&ops[j], residual))
			last_write = j;
	}
	if (!n_layers || last_write <= start)
		goto none;
	mark(layer, start + 1, last_write, n_layers - 1);
	return n_layers;
none:
	for (uint32_t j = 0; j < n; j++)
		layer[j] = -1;
	return 0;
}
