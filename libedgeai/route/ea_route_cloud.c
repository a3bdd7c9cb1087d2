// SPDX-License-Identifier: MIT
/*
 * ea_route_cloud.c - the cloud's figures the policies read: measured by the
 * probe (ea_cloud_probe), kept in the router, written into the scheduler's
 * "cloud" map when edgeai-sched has pinned it (kmod mode's policies read it
 * there) and into the probe cache file, a JSON object
 * {"rtt_ms": R, "tokens_per_s": T, "down_until": U, "backoff_ms": B}, that
 * later routers read when they open. A cloud that fails is marked down
 * (tokens_per_s 0 where the policies look) until a probe answers; R and T
 * stay its last good figures, U (Unix time) says when to probe again.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/bpf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "ea_route.h"

/* Pinned by edgeai-sched (tools/sched/sched_maps.h, EDGEAI_SCHED_PIN_DIR);
 * its value is struct edgeai_cloud_state, which ea_route_figures mirrors. */
#define EA_ROUTE_CLOUD_MAP "/sys/fs/bpf/edgeai/cloud"

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* The pinned map's single element: @cmd (BPF_MAP_UPDATE_ELEM with BPF_ANY, or
 * BPF_MAP_LOOKUP_ELEM) on @c through a file of @file_flags; the syscall's
 * result, or -1 with errno ENOENT when no map is pinned. */
static long cloud_map_elem(int cmd, uint32_t file_flags, struct ea_route_figures *c)
{
	union bpf_attr attr;
	uint32_t key = 0;
	long ret;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uint64_t)(uintptr_t)EA_ROUTE_CLOUD_MAP;
	attr.file_flags = file_flags;
	fd = (int)sys_bpf(BPF_OBJ_GET, &attr);
	if (fd < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)&key;
	attr.value = (uint64_t)(uintptr_t)c;
	attr.flags = BPF_ANY;
	ret = sys_bpf(cmd, &attr);
	close(fd);
	return ret;
}

/* 1 written, 0 no map pinned, -1 (errno) the map is there but refused. */
static int write_sched_map(const struct ea_route_figures *c)
{
	struct ea_route_figures value = *c;

	if (cloud_map_elem(BPF_MAP_UPDATE_ELEM, 0, &value) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/* True with the map's value in @c when it is pinned and this process may read it. */
static bool read_sched_map(struct ea_route_figures *c)
{
	return cloud_map_elem(BPF_MAP_LOOKUP_ELEM, BPF_F_RDONLY, c) == 0;
}

static double unix_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static ea_status write_cache(struct ea_router *r)
{
	json_object *o = json_object_new_object();
	ea_status st = EA_OK;

	json_object_object_add(o, "rtt_ms", json_object_new_int64(r->up.rtt_ms));
	json_object_object_add(o, "tokens_per_s", json_object_new_int64(r->up.tokens_per_s));
	if (r->down) {
		json_object_object_add(o, "down_until", json_object_new_double(r->down_until));
		json_object_object_add(o, "backoff_ms", json_object_new_int64(r->backoff_ms));
	}
	if (json_object_to_file_ext(r->probe_cache, o, JSON_C_TO_STRING_SPACED))
		st = ea_error_set(&r->error, EA_ERR_IO, "%s: cannot write the probe cache: %s",
				  r->probe_cache, json_util_get_last_err());
	json_object_put(o);
	return st;
}

static uint32_t round_u32(double v)
{
	return v <= 0 ? 0 : v >= UINT32_MAX ? UINT32_MAX : (uint32_t)lround(v);
}

static void set_figures(struct ea_router *r, double rtt_ms, double tps)
{
	r->up.rtt_ms = round_u32(rtt_ms);
	/* A positive throughput below 1 token/s still means "a cloud is there". */
	r->up.tokens_per_s = tps > 0 && tps < 1 ? 1 : round_u32(tps);
	r->figures = r->up;
	if (r->down)
		r->figures.tokens_per_s = 0;
}

void ea_route_cloud_load_cache(struct ea_router *r)
{
	json_object *o, *rtt, *tps, *v;

	if (!r->probe_cache || access(r->probe_cache, R_OK))
		return;
	o = json_object_from_file(r->probe_cache);
	if (o && json_object_object_get_ex(o, "down_until", &v)) {
		r->down = true;
		r->down_until = json_object_get_double(v);
		r->backoff_ms = json_object_object_get_ex(o, "backoff_ms", &v) ?
				(long)json_object_get_int64(v) : EA_ROUTE_BACKOFF_MIN_MS;
	}
	if (o && json_object_object_get_ex(o, "rtt_ms", &rtt) &&
	    json_object_object_get_ex(o, "tokens_per_s", &tps))
		set_figures(r, json_object_get_double(rtt), json_object_get_double(tps));
	json_object_put(o);
}

void ea_route_cloud_seen(const char *cache, struct ea_route_seen *out)
{
	struct ea_router r = { .probe_cache = (char *)cache };

	memset(out, 0, sizeof(*out));
	if (read_sched_map(&out->figures)) {
		out->from = EA_ROUTE_SEEN_MAP;
		return;
	}
	if (!cache || access(cache, R_OK))
		return;
	ea_route_cloud_load_cache(&r);
	out->from = EA_ROUTE_SEEN_CACHE;
	out->figures = r.figures;
	out->last_good = r.up;
	out->down_until = r.down ? r.down_until : 0;
}

/* The figures where the policies read them: the pinned map and the cache. */
static ea_status publish(struct ea_router *r)
{
	if (write_sched_map(&r->figures) < 0)
		return ea_error_set(&r->error, EA_ERR_IO, "%s: %s", EA_ROUTE_CLOUD_MAP,
				    strerror(errno));
	return r->probe_cache ? write_cache(r) : EA_OK;
}

void ea_route_cloud_down(struct ea_router *r)
{
	if (!r->down || r->backoff_ms < EA_ROUTE_BACKOFF_MIN_MS)
		r->backoff_ms = EA_ROUTE_BACKOFF_MIN_MS;
	else
		r->backoff_ms = r->backoff_ms * 2 > EA_ROUTE_BACKOFF_MAX_MS ?
				EA_ROUTE_BACKOFF_MAX_MS : r->backoff_ms * 2;
	r->down = true;
	r->down_until = unix_now() + r->backoff_ms / 1e3;
	r->figures = r->up;
	r->figures.tokens_per_s = 0;
	publish(r);
}

void ea_route_cloud_up(struct ea_router *r)
{
	if (!r->down)
		return;
	r->down = false;
	r->backoff_ms = 0;
	r->figures = r->up;
	publish(r);
}

void ea_route_cloud_check(struct ea_router *r)
{
	struct ea_cloud_probe p;
	struct ea_error why;

	if (!r->down || !r->cloud || unix_now() < r->down_until)
		return;
	if (ea_cloud_probe_within(r->cloud, 1, EA_ROUTE_PROBE_DEADLINE_MS, &p, &why) != EA_OK)
		ea_route_cloud_down(r);
	else
		ea_router_set_cloud(r, p.rtt_ms, p.tokens_per_s, NULL);
}

EA_API ea_status ea_router_set_cloud(struct ea_router *r, double rtt_ms, double tokens_per_s,
				     struct ea_cloud_figures *out)
{
	int map;

	if (!r || !(rtt_ms >= 0) || !(tokens_per_s >= 0))
		return r ? ea_error_set(&r->error, EA_ERR_INVALID_ARGUMENT,
					"cloud figures must be >= 0") : EA_ERR_INVALID_ARGUMENT;
	r->down = false;
	r->backoff_ms = 0;
	set_figures(r, rtt_ms, tokens_per_s);
	map = write_sched_map(&r->figures);
	if (map < 0)
		return ea_error_set(&r->error, EA_ERR_IO, "%s: %s", EA_ROUTE_CLOUD_MAP,
				    strerror(errno));
	if (out)
		*out = (struct ea_cloud_figures){ rtt_ms, tokens_per_s, map > 0 };
	return r->probe_cache ? write_cache(r) : EA_OK;
}

EA_API ea_status ea_router_probe(struct ea_router *r, int rounds, struct ea_cloud_figures *out)
{
	struct ea_cloud_probe p;
	struct ea_error why;
	ea_status st;

	if (!r)
		return EA_ERR_INVALID_ARGUMENT;
	if (!r->cloud)
		return ea_error_set(&r->error, EA_ERR_INVALID_ARGUMENT,
				    "no cloud endpoint configured");
	st = ea_cloud_probe(r->cloud, rounds, &p, &why);
	if (st != EA_OK) {
		/* A failed probe must not leave the old, good figures to the policies. */
		ea_route_cloud_down(r);
		return ea_error_set(&r->error, st, "probe: %s (the cloud is marked down for %ld "
				    "ms)", why.msg, r->backoff_ms);
	}
	return ea_router_set_cloud(r, p.rtt_ms, p.tokens_per_s, out);
}
