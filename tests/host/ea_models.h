/* SPDX-License-Identifier: MIT */
/*
 * ea_models.h - where the host tests find ../shared/models (the trained test
 * models): $EDGEAI_MODELS if set, else the folder "shared/models" next to the
 * repository, found from the test binary's own path (build/tests/host/NAME).
 */
#ifndef EA_MODELS_H
#define EA_MODELS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The path of @file (e.g. "edge-f16.gguf") in the models folder, in @out;
 * false when the file is not there (the test then skips). */
static inline bool ea_model_path(const char *file, char *out, size_t outsz)
{
	const char *env = getenv("EDGEAI_MODELS");
	char exe[PATH_MAX - 64];
	struct stat st;
	ssize_t n;

	if (env && *env) {
		snprintf(out, outsz, "%s/%s", env, file);
		return stat(out, &st) == 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	/* exe is REPO/build/tests/host/NAME: strip four components to REPO's parent. */
	for (int i = 0; i < 5; i++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			return false;
		*slash = '\0';
	}
	if ((size_t)snprintf(out, outsz, "%.*s/shared/models/%s", (int)(sizeof(exe) - 1), exe,
			     file) >= outsz)
		return false;
	return stat(out, &st) == 0;
}

#endif /* EA_MODELS_H */
