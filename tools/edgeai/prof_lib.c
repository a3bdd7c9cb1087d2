// SPDX-License-Identifier: MIT
/* prof_lib - the library's event files of one run, read and merged (prof_merge.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof_merge.h"

static bool push_id(uint64_t **ids, int *n, uint64_t id)
{
	uint64_t *grown;

	for (int i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return true;
	grown = realloc(*ids, (size_t)(*n + 1) * sizeof(**ids));
	if (!grown)
		return false;
	*ids = grown;
	(*ids)[(*n)++] = id;
	return true;
}

/* args.@key of @e as a number, 0 when absent. */
static uint64_t arg_u64(json_object *e, const char *key)
{
	json_object *args, *v;

	if (!json_object_object_get_ex(e, "args", &args) ||
	    !json_object_object_get_ex(args, key, &v))
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

static const char *str_of(json_object *e, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(e, key, &v) ? json_object_get_string(v) : "";
}

/* The ids an event names: a kmod job's, a kernel decision's. */
static bool note_ids(struct prof_lib *lib, json_object *e)
{
	uint64_t id;

	if (!strcmp(str_of(e, "name"), "job") && (id = arg_u64(e, "job")))
		return push_id(&lib->jobs, &lib->n_jobs, id);
	if (!strcmp(str_of(e, "name"), "decide") && (id = arg_u64(e, "seq")))
		return push_id(&lib->seqs, &lib->n_seqs, id);
	return true;
}

/* An event of the trace-event format: an object with name, ph, pid, tid. */
static bool well_formed(json_object *e)
{
	json_object *v;

	return json_object_is_type(e, json_type_object) &&
	       json_object_object_get_ex(e, "name", &v) &&
	       json_object_object_get_ex(e, "ph", &v) &&
	       json_object_object_get_ex(e, "pid", &v) && json_object_object_get_ex(e, "tid", &v);
}

static bool read_file(const char *path, struct prof_lib *lib, char *why, size_t why_size)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	bool ok = true;

	if (!f) {
		snprintf(why, why_size, "%s: %s", path, strerror(errno));
		return false;
	}
	while (ok && getline(&line, &cap, f) > 0) {
		json_object *e = json_tokener_parse(line);

		if (!e || !well_formed(e)) {
			lib->malformed++;	/* e.g. the last line of a program that crashed */
			json_object_put(e);
			continue;
		}
		json_object_array_add(lib->events, e);
		ok = note_ids(lib, e);
	}
	free(line);
	fclose(f);
	if (!ok)
		snprintf(why, why_size, "out of memory");
	return ok;
}

bool prof_lib_read(const char *dir, struct prof_lib *out, char *why, size_t why_size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->events = json_object_new_array();
	if (!d) {
		snprintf(why, why_size, "%s: %s", dir, strerror(errno));
		return false;
	}
	while (ok && (e = readdir(d))) {
		char path[4096];
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "libedgeai-", 10) || len < 6 ||
		    strcmp(e->d_name + len - 6, ".jsonl"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ok = read_file(path, out, why, why_size);
		out->n_files++;
	}
	closedir(d);
	return ok;
}

void prof_lib_free(struct prof_lib *lib)
{
	json_object_put(lib->events);
	free(lib->jobs);
	free(lib->seqs);
	memset(lib, 0, sizeof(*lib));
}

/* A metadata event already in @t for the same pid, tid and name. */
static bool named_before(json_object *seen, json_object *e)
{
	char key[128];

	snprintf(key, sizeof(key), "%s %d %d", str_of(e, "name"),
		 json_object_get_int(json_object_object_get(e, "pid")),
		 json_object_get_int(json_object_object_get(e, "tid")));
	if (json_object_object_get_ex(seen, key, NULL))
		return true;
	json_object_object_add(seen, key, NULL);
	return false;
}

void prof_merge_lib(struct prof_trace *t, const struct prof_lib *lib)
{
	json_object *seen = json_object_new_object();
	size_t n = json_object_array_length(lib->events);

	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(lib->events, i), *ts;

		if (!strcmp(str_of(e, "ph"), "M") && named_before(seen, e))
			continue;
		if (json_object_object_get_ex(e, "ts", &ts))
			json_object_object_add(e, "ts", json_object_new_double(
				json_object_get_double(ts) - t->origin_ms * 1e3));
		prof_trace_add(t, json_object_get(e));
	}
	json_object_put(seen);
}
