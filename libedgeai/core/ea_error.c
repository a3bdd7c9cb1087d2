// SPDX-License-Identifier: MIT
/* ea_error - status codes, their descriptions, and error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ea_error.h"

const char *ea_strerror(ea_status status)
{
	switch (status) {
	case EA_OK:
		return "success";
	case EA_ERR_INVALID_ARGUMENT:
		return "invalid argument";
	case EA_ERR_NO_MEMORY:
		return "out of host memory";
	case EA_ERR_BAD_ENVIRONMENT:
		return "invalid environment variable";
	case EA_ERR_NO_VULKAN_DEVICE:
		return "no usable Vulkan device";
	case EA_ERR_VULKAN:
		return "Vulkan call failed";
	case EA_ERR_NO_ACCEL_DEVICE:
		return "no edgeai accel device";
	case EA_ERR_ACCEL:
		return "accel device ioctl failed";
	case EA_ERR_ABI_MISMATCH:
		return "edgeai module ABI version not supported";
	case EA_ERR_NO_SHADER:
		return "shader not built into the library";
	case EA_ERR_FORMAT:
		return "malformed file";
	case EA_ERR_IO:
		return "file input/output failed";
	case EA_ERR_NOT_FOUND:
		return "not found";
	case EA_ERR_UNSUPPORTED:
		return "not supported";
	case EA_ERR_CLOUD:
		return "cloud endpoint failed";
	}
	return "unknown ea_status";
}

ea_status ea_error_set(struct ea_error *err, ea_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

void ea_error_append(struct ea_error *err, const char *fmt, ...)
{
	size_t used = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg + used, sizeof(err->msg) - used, fmt, ap);
	va_end(ap);
}

ea_status ea_error_pass(struct ea_error *err, const struct ea_error *from, ea_status status)
{
	*err = *from;
	return status;
}

void ea_error_copy_out(const struct ea_error *err, char *buf, size_t size)
{
	if (buf && size)
		snprintf(buf, size, "%s", err->msg);
}
