// SPDX-License-Identifier: MIT
/* Vulkan device selection: the default, EDGEAI_VK_DEVICE by index and by name,
 * bad values, and the reported device information. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ea_tap.h"
#include "edgeai.h"

struct attempt {
	ea_status status;
	struct ea_device_info info;
	char why[1024];
};

static struct attempt try_open(const char *vk_device)
{
	struct ea_open_options options = { .mode = EA_MODE_DIRECT, .vk_device = vk_device };
	struct attempt a = { 0 };
	struct ea_device *dev;

	a.status = ea_open(&options, &dev, a.why, sizeof(a.why));
	if (a.status == EA_OK) {
		a.info = *ea_device_info(dev);
		ea_close(dev);
	} else {
		tap_diag("ea_open: %s: %s", ea_strerror(a.status), a.why);
	}
	return a;
}

static bool info_is_sane(const struct ea_device_info *info)
{
	uint32_t sg = info->subgroup_size;

	return info->vk_available && info->vk_name[0] && info->vk_driver_name[0] &&
	       info->vk_api_version >= ((1u << 22) | (2u << 12)) &&
	       sg >= 1 && (sg & (sg - 1)) == 0;
}

/* The device's name in upper case, cut before its first space or parenthesis. */
static void name_fragment(const char *name, char *out, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && name[i] && name[i] != ' ' && name[i] != '('; i++)
		out[i] = (char)toupper((unsigned char)name[i]);
	out[i] = '\0';
}

static bool rejected_with_list(const char *selector, const char *device_name)
{
	struct attempt a;

	setenv("EDGEAI_VK_DEVICE", selector, 1);
	a = try_open(NULL);
	unsetenv("EDGEAI_VK_DEVICE");
	return a.status == EA_ERR_NO_VULKAN_DEVICE && strstr(a.why, "EDGEAI_VK_DEVICE") &&
	       strstr(a.why, selector) && strstr(a.why, "[0]") && strstr(a.why, device_name);
}

int main(void)
{
	struct attempt best, a;
	char fragment[64];
	struct tap t = { 0 };

	unsetenv("EDGEAI_MODE");
	unsetenv("EDGEAI_VK_DEVICE");
	tap_plan(&t, 8);

	best = try_open(NULL);
	if (!tap_ok(&t, best.status == EA_OK, "default device opens"))
		return 1;
	tap_diag("default: [%u] %s (%s), driver %s", best.info.vk_index, best.info.vk_name,
		 ea_vk_device_type_name(best.info.vk_type), best.info.vk_driver_name);
	tap_ok(&t, info_is_sane(&best.info),
	       "device info: name, driver, Vulkan >= 1.2, subgroup size a power of two");

	setenv("EDGEAI_VK_DEVICE", "0", 1);
	a = try_open(NULL);
	unsetenv("EDGEAI_VK_DEVICE");
	tap_ok(&t, a.status == EA_OK && a.info.vk_index == 0, "EDGEAI_VK_DEVICE=0 picks device 0");

	name_fragment(best.info.vk_name, fragment, sizeof(fragment));
	setenv("EDGEAI_VK_DEVICE", fragment, 1);
	a = try_open(NULL);
	unsetenv("EDGEAI_VK_DEVICE");
	tap_ok(&t, a.status == EA_OK && strcmp(a.info.vk_name, best.info.vk_name) == 0,
	       "EDGEAI_VK_DEVICE=%s (name, any case) picks that device", fragment);

	tap_ok(&t, rejected_with_list("bogus", best.info.vk_name),
	       "EDGEAI_VK_DEVICE=bogus fails, listing the devices");
	tap_ok(&t, rejected_with_list("99", best.info.vk_name),
	       "EDGEAI_VK_DEVICE=99 (no such index) fails, listing the devices");

	setenv("EDGEAI_VK_DEVICE", "bogus", 1);
	a = try_open("0");
	unsetenv("EDGEAI_VK_DEVICE");
	tap_ok(&t, a.status == EA_OK, "options.vk_device overrides EDGEAI_VK_DEVICE");

	a = try_open("bogus");
	tap_ok(&t, a.status == EA_ERR_NO_VULKAN_DEVICE && strstr(a.why, "options.vk_device"),
	       "a bad options.vk_device is reported as such");
	return tap_done(&t);
}
