/* SPDX-License-Identifier: MIT */
/*
 * ea_cs_validate - an executor's check of a command stream
 * (uapi/edgeai_cmdstream.h) before it trusts any index, offset or size in
 * it: the stream may come from another process (kmod mode).
 */
#ifndef EA_CS_VALIDATE_H
#define EA_CS_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "edgeai_cmdstream.h"
#include "ea_error.h"

/*
 * Check @bytes of @data as a stream: magic, version, sizes and counts adding
 * up to total_bytes == @bytes, at most EA_CS_MAX_BUFFERS buffers of known
 * kinds, every upload inside its weight buffer (at any byte) and inside the
 * @src_bytes of tensor data it reads, and every op as the op table
 * (ea_op_table.h) describes it: a known opcode, no arguments past its own,
 * a shape its rule accepts, and each span it binds naming a buffer, lying
 * inside it at an aligned offset and holding the bytes the shape needs.
 * EA_ERR_FORMAT (or EA_ERR_UNSUPPORTED for another version) with why in @err.
 */
ea_status ea_cs_validate(const void *data, size_t bytes, uint64_t src_bytes,
			 struct ea_error *err);

#endif /* EA_CS_VALIDATE_H */
