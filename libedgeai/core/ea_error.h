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

/* Pass on a failure another object recorded: copy @from into @err and return
 * @status, so that such a path reads: return ea_error_pass(err, &x->error, status). */
ea_status ea_error_pass(struct ea_error *err, const struct ea_error *from, ea_status status);

/* Hand @err's message to a caller of the public API: into @buf of @size bytes
 * (terminated), when @buf is not NULL and @size > 0. Inside the library a
 * message travels as a struct ea_error; edgeai.h's char *errmsg, size_t
 * errmsg_size parameters (the ABI) and its message fields are filled with this
 * alone. */
void ea_error_copy_out(const struct ea_error *err, char *buf, size_t size);

#endif /* EA_ERROR_H */
