/* SPDX-License-Identifier: MIT */
/* ea_error - an error message that travels with an ea_status. */
#ifndef EA_ERROR_H
#define EA_ERROR_H

#include "edgeai.h"

#define EA_ERROR_MAX 1024

struct ea_error {
	char msg[EA_ERROR_MAX];
};

/* Format the message of a failure into @err and return @status, so that an
 * error path reads: return ea_error_set(err, EA_ERR_..., "...", ...). */
ea_status ea_error_set(struct ea_error *err, ea_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append to the message already in @err (for lists, such as the devices). */
void ea_error_append(struct ea_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* EA_ERROR_H */
