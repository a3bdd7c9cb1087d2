// SPDX-License-Identifier: MIT
/* edgeai info - the mode, the module's ABI and limits, and the Vulkan device. */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

/* One report, written either as aligned "label: value" lines or as one JSON object. */
struct report {
	bool json;
	bool first;
};

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void field_start(struct report *r, const char *key, const char *label)
{
	if (r->json) {
		printf("%s\n  ", r->first ? "{" : ",");
		json_string(key);
		printf(": ");
	} else {
		printf("%-22s ", label);
	}
	r->first = false;
}

static void field_end(struct report *r)
{
	if (!r->json)
		putchar('\n');
}

static void field_str(struct report *r, const char *key, const char *label, const char *value)
{
	field_start(r, key, label);
	if (r->json)
		json_string(value);
	else
		fputs(value, stdout);
	field_end(r);
}

static void field_u64(struct report *r, const char *key, const char *label, uint64_t value,
		      const char *unit)
{
	field_start(r, key, label);
	printf("%" PRIu64, value);
	if (!r->json && unit)
		printf(" %s", unit);
	field_end(r);
}

static void field_bool(struct report *r, const char *key, const char *label, bool value)
{
	field_start(r, key, label);
	fputs(r->json ? (value ? "true" : "false") : (value ? "yes" : "no"), stdout);
	field_end(r);
}

static void report_module(struct report *r, const struct ea_device_info *info)
{
	field_str(r, "accel_device", "accel device:", info->accel_path);
	field_u64(r, "abi_version", "module ABI version:", info->abi_version, NULL);
	field_u64(r, "mem_limit", "memory limit:", info->mem_limit, "bytes");
	field_u64(r, "client_quota", "client quota:", info->client_quota, "bytes");
	field_u64(r, "max_bo_size", "max buffer size:", info->max_bo_size, "bytes");
	field_u64(r, "max_queues", "max queues:", info->max_queues, "per client");
	field_u64(r, "job_timeout_ms", "job timeout:", info->job_timeout_ms, "ms");
}

static void report_vulkan(struct report *r, const struct ea_device_info *info)
{
	char api[32];

	snprintf(api, sizeof(api), "%u.%u.%u", info->vk_api_version >> 22,
		 (info->vk_api_version >> 12) & 0x3ff, info->vk_api_version & 0xfff);
	field_u64(r, "vk_index", "vulkan device index:", info->vk_index, NULL);
	field_str(r, "vk_device", "vulkan device:", info->vk_name);
	field_str(r, "vk_type", "device type:", ea_vk_device_type_name(info->vk_type));
	field_str(r, "vk_api_version", "vulkan api:", api);
	field_str(r, "vk_driver", "driver:", info->vk_driver_name);
	field_str(r, "vk_driver_info", "driver info:", info->vk_driver_info);
	field_u64(r, "subgroup_size", "subgroup size:", info->subgroup_size, NULL);
	field_bool(r, "fp16", "fp16 arithmetic:", info->shader_float16);
	field_bool(r, "int8", "int8 arithmetic:", info->shader_int8);
	field_bool(r, "storage_16bit", "16-bit storage:", info->storage_16bit);
	field_bool(r, "storage_8bit", "8-bit storage:", info->storage_8bit);
	field_bool(r, "int8_dot_product", "int8 dot product:", info->int8_dot_product);
	field_bool(r, "int8_dot_product_accelerated", "int8 dot accelerated:",
		   info->int8_dot_product_accelerated);
	field_bool(r, "coop_matrix_khr", "coop matrix (KHR):", info->coop_matrix_khr);
	field_bool(r, "coop_matrix_nv", "coop matrix (NV):", info->coop_matrix_nv);
}

enum { OPT_JSON = CLI_OPT_OWN };

static const struct option long_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	CLI_DEVICE_OPTIONS,
	CLI_OPTIONS_END
};

static int run_info(int argc, char **argv)
{
	struct ea_open_options options = { 0 };
	struct report r = { .first = true };
	const struct ea_device_info *info;
	struct cli_parser p;
	struct ea_device *dev;

	cli_parser_init(&p, &cli_info, argc, argv, "", long_options);
	while (cli_next(&p) != -1) {
		if (p.option == OPT_JSON)
			r.json = true;
		else
			cli_device_option(&p, &options);
	}
	if (p.exit_status != CLI_CONTINUE)
		return p.exit_status;

	dev = cli_open(&options);
	if (!dev)
		return 1;
	info = ea_device_info(dev);
	field_str(&r, "mode", "mode:", ea_mode_name(info->mode));
	if (info->mode == EA_MODE_KMOD)
		report_module(&r, info);
	field_bool(&r, "vk_available", "vulkan available:", info->vk_available);
	if (info->vk_available)
		report_vulkan(&r, info);
	if (r.json)
		printf("\n}\n");
	ea_close(dev);
	return 0;
}

const struct cli_command cli_info = {
	.name = "info",
	.summary = "show the mode, the module's ABI version and limits, and the Vulkan device",
	.usage = "[--json] [--mode auto|direct|kmod] [--device INDEX|NAME]",
	.run = run_info,
};
