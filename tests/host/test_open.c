// SPDX-License-Identifier: MIT
/* ea_open's choice of mode: direct without an edgeai accel device, EDGEAI_MODE. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ea_tap.h"
#include "edgeai.h"

struct attempt {
	ea_status status;
	enum ea_mode mode;
	char why[1024];
};

static struct attempt try_open(const struct ea_open_options *options)
{
	struct attempt a = { 0 };
	struct ea_device *dev;

	a.status = ea_open(options, &dev, a.why, sizeof(a.why));
	if (a.status == EA_OK) {
		const struct ea_device_info *info = ea_device_info(dev);

		a.mode = ea_device_mode(dev);
		if (a.mode == EA_MODE_DIRECT && (info->accel_path[0] || info->abi_version))
			a.status = EA_ERR_INVALID_ARGUMENT; /* direct mode must not report a module */
		ea_close(dev);
	}
	return a;
}

static bool opens_direct(const struct ea_open_options *options)
{
	struct attempt a = try_open(options);

	if (a.status != EA_OK)
		tap_diag("ea_open: %s: %s", ea_strerror(a.status), a.why);
	return a.status == EA_OK && a.mode == EA_MODE_DIRECT;
}

static bool fails_with(const struct ea_open_options *options, ea_status want, const char *needle)
{
	struct attempt a = try_open(options);

	tap_diag("ea_open: %s: %s", ea_strerror(a.status), a.why);
	return a.status == want && strstr(a.why, needle);
}

int main(void)
{
	char empty[] = "/tmp/edgeai-test-accel-XXXXXX";
	char fake[] = "/tmp/edgeai-test-accel-XXXXXX";
	char missing[sizeof(empty) + 16], fake_node[sizeof(fake) + 16];
	struct ea_open_options options = { 0 };
	struct tap t = { 0 };
	int fd;

	unsetenv("EDGEAI_MODE");
	unsetenv("EDGEAI_VK_DEVICE");
	if (!mkdtemp(empty) || !mkdtemp(fake)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(missing, sizeof(missing), "%s/none", empty);
	/* A file named like a node whose driver is not edgeai (not a DRM node at all). */
	snprintf(fake_node, sizeof(fake_node), "%s/accel0", fake);
	fd = open(fake_node, O_CREAT | O_RDWR, 0600);
	if (fd >= 0)
		close(fd);

	tap_plan(&t, 10);
	options.accel_dir = empty;
	tap_ok(&t, opens_direct(&options), "auto mode, empty accel folder: direct mode");
	options.accel_dir = missing;
	tap_ok(&t, opens_direct(&options), "auto mode, no accel folder: direct mode");
	options.accel_dir = fake;
	tap_ok(&t, opens_direct(&options), "auto mode, a node of another driver: direct mode");

	options.accel_dir = empty;
	options.mode = EA_MODE_KMOD;
	tap_ok(&t, fails_with(&options, EA_ERR_NO_ACCEL_DEVICE, empty),
	       "kmod mode without the device fails, naming the folder");
	options.mode = (enum ea_mode)7;
	tap_ok(&t, fails_with(&options, EA_ERR_INVALID_ARGUMENT, "mode"),
	       "an unknown options.mode is rejected");
	options.mode = EA_MODE_AUTO;

	setenv("EDGEAI_MODE", "kmod", 1);
	tap_ok(&t, fails_with(&options, EA_ERR_NO_ACCEL_DEVICE, "edgeai"),
	       "EDGEAI_MODE=kmod without the device fails");
	setenv("EDGEAI_MODE", "direct", 1);
	options.accel_dir = fake;
	tap_ok(&t, opens_direct(&options), "EDGEAI_MODE=direct: direct mode");
	setenv("EDGEAI_MODE", "bogus", 1);
	tap_ok(&t, fails_with(&options, EA_ERR_BAD_ENVIRONMENT, "EDGEAI_MODE=\"bogus\""),
	       "EDGEAI_MODE=bogus is rejected, naming the variable");
	options.mode = EA_MODE_DIRECT;
	tap_ok(&t, opens_direct(&options), "options.mode overrides EDGEAI_MODE");
	unsetenv("EDGEAI_MODE");

	tap_ok(&t, ea_open(NULL, NULL, NULL, 0) == EA_ERR_INVALID_ARGUMENT,
	       "ea_open without an out pointer is rejected");

	unlink(fake_node);
	rmdir(fake);
	rmdir(empty);
	return tap_done(&t);
}
