// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai-sched: lists, attaches and detaches the routing policies of the
 * edgeai module (BPF struct_ops edgeai_sched_ops), shows their decisions
 * and sets the maps they read.  An attached policy lives on after this
 * program exits: its link and maps are pinned under /sys/fs/bpf/edgeai/.
 */

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "edgeai_accel.h"
#include "sched_maps.h"

#include "cascade.skel.h"
#include "latency.skel.h"
#include "power.skel.h"
#include "privacy.skel.h"

#define SCHED_SYSFS	"/sys/devices/platform/edgeai/sched"
#define DECISIONS_DEBUGFS "/sys/kernel/debug/accel/edgeai/decisions"
#define LINK_PIN	EDGEAI_SCHED_PIN_DIR "/policy"

struct policy {
	const char *name;
	const char *what;
	const void *(*elf_bytes)(size_t *size);
};

static const struct policy policies[] = {
	{ "latency", "where the request finishes first (cloud map)",
	  latency_bpf__elf_bytes },
	{ "privacy", "sensitive requests stay; others by latency",
	  privacy_bpf__elf_bytes },
	{ "power", "offload when battery is low or hot (power map)",
	  power_bpf__elf_bytes },
	{ "cascade", "local unless the caller's confidence is low",
	  cascade_bpf__elf_bytes },
};

#define POLICY_COUNT (sizeof(policies) / sizeof(policies[0]))

/* What `set` may change: the map, and the field's offset in its value. */
static const struct setting {
	const char *key;
	const char *map;
	size_t offset;
	size_t value_size;
	unsigned long max;	/* the largest value that means something */
} settings[] = {
	{ "cloud-rtt", "cloud", offsetof(struct edgeai_cloud_state, rtt_ms),
	  sizeof(struct edgeai_cloud_state), 3600000 },
	{ "cloud-tps", "cloud",
	  offsetof(struct edgeai_cloud_state, tokens_per_s),
	  sizeof(struct edgeai_cloud_state), 1000000 },
	{ "battery", "power", offsetof(struct edgeai_power_state, battery_pct),
	  sizeof(struct edgeai_power_state), 100 },
	{ "thermal", "power", offsetof(struct edgeai_power_state, thermal_c),
	  sizeof(struct edgeai_power_state), 200 },
	{ "cascade-floor", "cascade_floor",
	  offsetof(struct edgeai_cascade_state, floor),
	  sizeof(struct edgeai_cascade_state), 1000 },
};

#define SETTING_COUNT (sizeof(settings) / sizeof(settings[0]))

static int verbose;

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("edgeai-sched: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* libbpf's messages; the verifier's log comes through at LIBBPF_WARN. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *out)
{
	fputs("usage: edgeai-sched [-v] COMMAND\n"
	      "  list                 the policies built in\n"
	      "  attach NAME          attach a policy (one at a time)\n"
	      "  detach               detach it; the built-in policy decides\n"
	      "  status               policy, errors, decisions by reason, maps\n"
	      "  set KEY VALUE        KEY: cloud-rtt (ms), cloud-tps (tokens/s),\n"
	      "                       battery (%), thermal (Celsius),\n"
	      "                       cascade-floor (per mille, 0: the default 500)\n"
	      "  watch [N]            print decisions as they come (N: stop after N)\n"
	      "  -v                   libbpf's debug messages\n"
	      "attach, detach, set and watch need root.  status lists the\n"
	      "edgeai_sched_ops maps as `bpftool struct_ops list` would (as root);\n"
	      "Debian's bpftool crashes on a module's struct_ops; `make bpftool`\n"
	      "builds build/bpftool/bpftool with the fix (docs/PERFORMANCE.md,\n"
	      "Scheduler).\n", out);
}

/* The checks that turn "Invalid argument" into a sentence. */
static int check_bpf_usable(void)
{
	if (geteuid() != 0)
		return fail("BPF needs root (CAP_BPF and CAP_SYS_ADMIN)");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return fail("the kernel has no BTF (/sys/kernel/btf/vmlinux): "
			    "struct_ops need CONFIG_DEBUG_INFO_BTF");
	if (access("/sys/module/edgeai", F_OK))
		return fail("module edgeai is not loaded");
	if (access("/sys/kernel/btf/edgeai", R_OK))
		return fail("module edgeai has no BTF (/sys/kernel/btf/edgeai): "
			    "build it with pahole installed");
	return 0;
}

static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int cmd_list(void)
{
	char active[64] = "";
	size_t i;

	read_line(SCHED_SYSFS "/policy", active, sizeof(active));
	for (i = 0; i < POLICY_COUNT; i++)
		printf("%c %-8s %s\n", strcmp(active, policies[i].name) ? ' ' : '*',
		       policies[i].name, policies[i].what);
	return 0;
}

static const struct policy *find_policy(const char *name)
{
	size_t i;

	for (i = 0; i < POLICY_COUNT; i++)
		if (!strcmp(policies[i].name, name))
			return &policies[i];
	return NULL;
}

/* Shared maps live in the pin directory, so values survive a new policy. */
static int pin_shared_maps(struct bpf_object *obj, struct bpf_map **ops)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	*ops = NULL;
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			*ops = map;
		else if (!strcmp(name, "cloud") || !strcmp(name, "power") ||
			 !strcmp(name, "cascade_floor")) {
			snprintf(path, sizeof(path), "%s/%s",
				 EDGEAI_SCHED_PIN_DIR, name);
			if (bpf_map__set_pin_path(map, path))
				return -EINVAL;
		}
	}
	return *ops ? 0 : -ENOENT;
}

static int cmd_attach(const char *name)
{
	const struct policy *p = find_policy(name);
	struct bpf_object *obj;
	struct bpf_link *link;
	struct bpf_map *ops;
	const void *elf;
	size_t size;
	int err;

	if (!p)
		return fail("no policy %s (edgeai-sched list)", name);
	if (check_bpf_usable())
		return 1;
	if (!access(LINK_PIN, F_OK))
		return fail("a policy is attached already; detach it first");
	if (mkdir(EDGEAI_SCHED_PIN_DIR, 0700) && errno != EEXIST)
		return fail("%s: %s (is bpffs mounted at /sys/fs/bpf?)",
			    EDGEAI_SCHED_PIN_DIR, strerror(errno));
	elf = p->elf_bytes(&size);
	obj = bpf_object__open_mem(elf, size, NULL);
	if (!obj)
		return fail("%s: cannot open: %s", name, strerror(errno));
	err = pin_shared_maps(obj, &ops);
	if (!err)
		err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return fail("%s was rejected (%s); the verifier's log is above",
			    name, strerror(-err));
	}
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		err = errno;
		bpf_object__close(obj);
		if (err == EEXIST)
			return fail("another policy is attached; detach it first");
		return fail("%s: attach: %s", name, strerror(err));
	}
	err = bpf_link__pin(link, LINK_PIN);
	if (err) {
		bpf_link__destroy(link);
		bpf_object__close(obj);
		return fail("pin %s: %s", LINK_PIN, strerror(-err));
	}
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	printf("attached %s\n", name);
	return 0;
}

static int cmd_detach(void)
{
	char active[64];
	int i;

	if (geteuid() != 0)
		return fail("detaching needs root");
	if (unlink(LINK_PIN))
		return errno == ENOENT ? fail("no policy is attached") :
			fail("%s: %s", LINK_PIN, strerror(errno));
	/* The last reference to the link is dropped by a work item. */
	for (i = 0; i < 200; i++) {
		if (!read_line(SCHED_SYSFS "/policy", active, sizeof(active)) &&
		    !strcmp(active, "builtin"))
			break;
		usleep(10000);
	}
	printf("detached; the built-in policy decides\n");
	return 0;
}

static int read_pinned(const char *map, void *value, int *fd_out)
{
	char path[PATH_MAX];
	__u32 key = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", EDGEAI_SCHED_PIN_DIR, map);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, value)) {
		close(fd);
		return -errno;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return 0;
}

/* The struct_ops link that has @map_id attached, 0 for none. */
static __u32 struct_ops_link(__u32 map_id)
{
	struct bpf_link_info info;
	__u32 id = 0, len, found = 0;
	int fd;

	while (!found && !bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_link_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_LINK_TYPE_STRUCT_OPS &&
		    info.struct_ops.map_id == map_id)
			found = id;
		close(fd);
	}
	return found;
}

/*
 * The kernel struct_ops type a struct_ops map implements: its value type,
 * bpf_struct_ops_<name>, is in the BTF object info->btf_vmlinux_id names,
 * the module's for edgeai_sched_ops.  (Debian's bpftool looks it up in
 * vmlinux's BTF only, finds no such type id and dereferences NULL;
 * tools/sched/bpftool/ has the fix.)  Fills @name.
 */
static int struct_ops_type(const struct bpf_map_info *info,
			   struct btf *vmlinux, char *name, size_t size)
{
	static const char prefix[] = "bpf_struct_ops_";
	struct btf *btf = btf__load_from_kernel_by_id_split(info->btf_vmlinux_id,
							    vmlinux);
	const struct btf_type *t;
	const char *type;

	if (!btf)
		return -errno;
	t = btf__type_by_id(btf, info->btf_vmlinux_value_type_id);
	type = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	if (type && !strncmp(type, prefix, sizeof(prefix) - 1))
		type += sizeof(prefix) - 1;
	snprintf(name, size, "%s", type ? type : "?");
	btf__free(btf);
	return type ? 0 : -ENOENT;
}

/* `bpftool struct_ops list`'s line for each edgeai_sched_ops map. */
static void show_struct_ops(void)
{
	struct btf *vmlinux;
	struct bpf_map_info info;
	char type[64];
	__u32 id = 0, len, link;
	int fd, shown = 0;

	if (geteuid() != 0) {
		printf("struct_ops: listing BPF maps needs root\n");
		return;
	}
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		printf("struct_ops: no vmlinux BTF\n");
		return;
	}
	printf("struct_ops (id: map kernel-type link):\n");
	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_map_get_info_by_fd(fd, &info, &len) ||
		    info.type != BPF_MAP_TYPE_STRUCT_OPS ||
		    struct_ops_type(&info, vmlinux, type, sizeof(type)) ||
		    strcmp(type, "edgeai_sched_ops")) {
			close(fd);
			continue;
		}
		close(fd);
		link = struct_ops_link(info.id);
		if (link)
			printf("  %u: %-15s %s link %u\n", info.id, info.name,
			       type, link);
		else
			printf("  %u: %-15s %s (not attached)\n", info.id,
			       info.name, type);
		shown++;
	}
	if (!shown)
		printf("  none\n");
	btf__free(vmlinux);
}

static int cmd_status(void)
{
	struct edgeai_cloud_state cloud;
	struct edgeai_power_state power;
	struct edgeai_cascade_state floor;
	char line[128];
	FILE *f;

	if (access("/sys/module/edgeai", F_OK))
		return fail("module edgeai is not loaded");
	if (!read_line(SCHED_SYSFS "/policy", line, sizeof(line)))
		printf("policy: %s\n", line);
	if (!read_line(SCHED_SYSFS "/errors", line, sizeof(line)))
		printf("policy errors: %s\n", line);
	f = fopen(SCHED_SYSFS "/decisions", "r");
	if (!f)
		return fail("%s/decisions: %s", SCHED_SYSFS, strerror(errno));
	printf("decisions (decision reason count):\n");
	while (fgets(line, sizeof(line), f))
		if (!strstr(line, " 0\n"))
			printf("  %s", line);
	fclose(f);
	if (!read_pinned("cloud", &cloud, NULL))
		printf("cloud: rtt %u ms, %u tokens/s\n", cloud.rtt_ms,
		       cloud.tokens_per_s);
	if (!read_pinned("power", &power, NULL))
		printf("power: battery %u %%, thermal %u C\n",
		       power.battery_pct, power.thermal_c);
	if (!read_pinned("cascade_floor", &floor, NULL))
		printf("cascade floor: %u per mille%s\n", floor.floor,
		       floor.floor ? "" : " (0: the default)");
	show_struct_ops();
	return 0;
}

static int cmd_set(const char *key, const char *text)
{
	unsigned char value[64];
	const struct setting *s = NULL;
	unsigned long v;
	__u32 map_key = 0, v32;
	char *end;
	size_t i;
	int fd, err;

	for (i = 0; i < SETTING_COUNT; i++)
		if (!strcmp(settings[i].key, key))
			s = &settings[i];
	if (!s)
		return fail("unknown key %s (cloud-rtt, cloud-tps, battery, thermal, "
			    "cascade-floor)", key);
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || end == text || v > UINT32_MAX)
		return fail("%s: not a number: %s", key, text);
	if (v > s->max)
		return fail("%s: %lu is out of range (0 to %lu)", key, v, s->max);
	if (geteuid() != 0)
		return fail("setting a map needs root");
	err = read_pinned(s->map, value, &fd);
	if (err)
		return fail("no %s map pinned (%s): attach a policy that reads it",
			    s->map, strerror(-err));
	v32 = (__u32)v;
	memcpy(value + s->offset, &v32, sizeof(v32));
	err = bpf_map_update_elem(fd, &map_key, value, BPF_ANY) ? errno : 0;
	close(fd);
	if (err)
		return fail("update %s: %s", s->map, strerror(err));
	printf("%s = %lu\n", key, v);
	return 0;
}

/* Prints the ring's lines past @last when @print; returns the last seq. */
static unsigned long long read_ring(unsigned long long last, int print)
{
	unsigned long long seq;
	char line[256];
	FILE *f = fopen(DECISIONS_DEBUGFS, "r");

	if (!f)
		return last;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu", &seq) == 1 && seq > last) {
			if (print)
				fputs(line, stdout);
			last = seq;
		}
	fclose(f);
	fflush(stdout);
	return last;
}

static int cmd_watch(const char *count_text)
{
	long count = -1;
	unsigned long long start, last;
	char *end;

	if (count_text) {
		errno = 0;
		count = strtol(count_text, &end, 10);
		if (errno || *end || end == count_text || count < 1)
			return fail("watch: N must be a positive number: %s", count_text);
	}

	if (geteuid() != 0)
		return fail("watching reads debugfs, which needs root");
	if (access(DECISIONS_DEBUGFS, R_OK))
		return fail("%s: %s (module not loaded or debugfs not mounted)",
			    DECISIONS_DEBUGFS, strerror(errno));
	start = last = read_ring(0, 0);
	printf("seq time_ns model decision priority reason policy fallback\n");
	while (count < 0 || last - start < (unsigned long long)count) {
		usleep(100000);
		last = read_ring(last, 1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("edgeai-sched %s\n", EDGEAI_VERSION);
		return 0;
	}
	libbpf_set_print(print_libbpf);
	cmd = argv[1];
	if (!strcmp(cmd, "list") && argc == 2)
		return cmd_list();
	if (!strcmp(cmd, "attach") && argc == 3)
		return cmd_attach(argv[2]);
	if (!strcmp(cmd, "detach") && argc == 2)
		return cmd_detach();
	if (!strcmp(cmd, "status") && argc == 2)
		return cmd_status();
	if (!strcmp(cmd, "set") && argc == 4)
		return cmd_set(argv[2], argv[3]);
	if (!strcmp(cmd, "watch") && argc <= 3)
		return cmd_watch(argc == 3 ? argv[2] : NULL);
	usage(stderr);
	return 2;
}
