// SPDX-License-Identifier: MIT
/* top_json - a frame of edgeai top as one JSON object (see top_view.h, docs/edgeai.md). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "edgeai_policy.h"
#include "top_view.h"

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static json_object *client_json(const struct top_row *row)
{
	const struct top_client *c = row->c;
	json_object *o = json_object_new_object();

	put(o, "pid", json_object_new_int(c->pid));
	put(o, "command", json_object_new_string(c->comm));
	put(o, "client_id", u64(c->client_id));
	put(o, "busy_pct", json_object_new_double(row->busy_pct));
	put(o, "jobs_per_s", json_object_new_double(row->jobs_per_s));
	put(o, "jobs_submitted", u64(c->jobs_submitted));
	put(o, "jobs_completed", u64(c->jobs_completed));
	put(o, "jobs_failed", u64(c->jobs_failed));
	put(o, "engine_ns", u64(c->engine_ns));
	put(o, "memory_total", u64(c->total_bytes));
	put(o, "memory_shared", u64(c->shared_bytes));
	put(o, "memory_resident", u64(c->resident_bytes));
	return o;
}

static json_object *routing_json(const struct top_frame *f)
{
	const struct top_device *d = &f->now->dev;
	json_object *o = json_object_new_object(), *list = json_object_new_array();

	put(o, "policy", json_object_new_string(d->policy));
	put(o, "errors", u64(d->route_errors));
	put(o, "decisions_per_s", json_object_new_double(f->routes_per_s));
	for (int dec = 0; dec < EDGEAI_ROUTE_DECISION_COUNT; dec++)
		for (int r = 0; r < EDGEAI_REASON_COUNT; r++) {
			json_object *e;

			if (!d->decisions[dec][r])
				continue;
			e = json_object_new_object();
			put(e, "decision", json_object_new_string(edgeai_decision_names[dec]));
			put(e, "reason", json_object_new_string(edgeai_reason_names[r]));
			put(e, "total", u64(d->decisions[dec][r]));
			put(e, "per_s", json_object_new_double(f->decisions_per_s[dec][r]));
			json_object_array_add(list, e);
		}
	put(o, "decisions", list);
	return o;
}

static json_object *device_json(const struct top_frame *f)
{
	const struct top_device *d = &f->now->dev;
	json_object *o = json_object_new_object(), *x = json_object_new_object();
	json_object *q = json_object_new_object(), *m = json_object_new_object();

	put(o, "name", json_object_new_string(d->name));
	put(x, "state", json_object_new_string(d->exec_state));
	put(x, "pid", json_object_new_int(d->exec_pid));
	put(x, "command", json_object_new_string(d->exec_comm));
	put(x, "jobs_held", u64(d->jobs_held));
	put(x, "jobs_waiting", u64(d->jobs_waiting));
	put(x, "epoch", u64(d->exec_epoch));
	put(o, "executor", x);
	for (int p = 0; p < EDGEAI_PRIORITY_COUNT; p++)
		put(q, top_priority_names[p], u64(d->queued[p]));
	put(o, "queued", q);
	put(m, "used", u64(d->mem_used));
	put(m, "limit", u64(d->mem_limit));
	put(o, "memory", m);
	put(o, "routing", routing_json(f));
	return o;
}

static json_object *cloud_json(const struct ea_route_seen *c)
{
	static const char *const from[] = {
		[EA_ROUTE_SEEN_NONE] = "none",
		[EA_ROUTE_SEEN_MAP] = "scheduler map",
		[EA_ROUTE_SEEN_CACHE] = "probe cache",
	};
	json_object *o = json_object_new_object();

	put(o, "source", json_object_new_string(from[c->from]));
	put(o, "rtt_ms", json_object_new_int64(c->figures.rtt_ms));
	put(o, "tokens_per_s", json_object_new_int64(c->figures.tokens_per_s));
	if (c->down_until > 0) {
		put(o, "down_until", json_object_new_double(c->down_until));
		put(o, "last_rtt_ms", json_object_new_int64(c->last_good.rtt_ms));
		put(o, "last_tokens_per_s", json_object_new_int64(c->last_good.tokens_per_s));
	}
	return o;
}

void top_print_json(const struct top_frame *f)
{
	json_object *root = json_object_new_object(), *list = json_object_new_array();

	for (int i = 0; i < f->n_rows; i++)
		json_object_array_add(list, client_json(&f->rows[i]));
	put(root, "interval_s", json_object_new_double(f->interval_s));
	put(root, "engine_busy_pct", json_object_new_double(f->busy_pct));
	put(root, "clients", list);
	put(root, "unreadable_processes", json_object_new_int(f->now->clients.unreadable));
	put(root, "device", f->now->dev.present ? device_json(f) : NULL);
	put(root, "cloud", cloud_json(&f->now->dev.cloud));
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(root);
}
