// SPDX-License-Identifier: MIT
/* prof_trace - the trace-event document edgeai prof writes (see the header). */
#include "prof_trace.h"

void prof_trace_init(struct prof_trace *t, double origin_ms)
{
	t->events = json_object_new_array();
	t->origin_ms = origin_ms;
}

void prof_trace_free(struct prof_trace *t)
{
	json_object_put(t->events);
	t->events = NULL;
}

static json_object *event(const char *name, const char *cat, const char *ph, int pid, int tid)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "name", json_object_new_string(name));
	if (cat)
		json_object_object_add(e, "cat", json_object_new_string(cat));
	json_object_object_add(e, "ph", json_object_new_string(ph));
	json_object_object_add(e, "pid", json_object_new_int(pid));
	json_object_object_add(e, "tid", json_object_new_int(tid));
	return e;
}

static json_object *micros(const struct prof_trace *t, double at_ms)
{
	return json_object_new_double((at_ms - t->origin_ms) * 1e3);
}

void prof_trace_span(struct prof_trace *t, const char *name, const char *cat, int pid, int tid,
		     double start_ms, double dur_ms, json_object *args)
{
	json_object *e = event(name, cat, "X", pid, tid);

	json_object_object_add(e, "ts", micros(t, start_ms));
	json_object_object_add(e, "dur", json_object_new_double(dur_ms > 0 ? dur_ms * 1e3 : 0));
	if (args)
		json_object_object_add(e, "args", args);
	json_object_array_add(t->events, e);
}

void prof_trace_instant(struct prof_trace *t, const char *name, const char *cat, int pid, int tid,
			double at_ms, json_object *args)
{
	json_object *e = event(name, cat, "i", pid, tid);

	json_object_object_add(e, "ts", micros(t, at_ms));
	json_object_object_add(e, "s", json_object_new_string("t"));
	if (args)
		json_object_object_add(e, "args", args);
	json_object_array_add(t->events, e);
}

void prof_trace_name(struct prof_trace *t, const char *what, int pid, int tid, const char *name)
{
	json_object *e = event(what, NULL, "M", pid, tid), *args = json_object_new_object();

	json_object_object_add(args, "name", json_object_new_string(name));
	json_object_object_add(e, "args", args);
	json_object_array_add(t->events, e);
}

void prof_trace_add(struct prof_trace *t, json_object *event)
{
	json_object_array_add(t->events, event);
}

bool prof_trace_write(struct prof_trace *t, const char *path)
{
	json_object *root = json_object_new_object();
	bool ok;

	json_object_object_add(root, "traceEvents", json_object_get(t->events));
	json_object_object_add(root, "displayTimeUnit", json_object_new_string("ms"));
	ok = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PLAIN) == 0;
	json_object_put(root);
	return ok;
}
