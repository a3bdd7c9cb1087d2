// SPDX-License-Identifier: MIT
/*
 * The roofline edgeai bench measures (ea_vk_stream_bandwidth): the streaming
 * read and read + write kernels run over device-local buffers and give
 * positive, finite figures; a request larger than the device binds at once
 * is cut to what it binds rather than failing; and the figures agree with
 * the work's size: twice the passes take about twice the time.
 */
#include <math.h>
#include <stdio.h>

#include "ea_device.h"
#include "ea_tap.h"
#include "ea_vk_compute.h"

static bool sane(double gbps)
{
	return isfinite(gbps) && gbps > 0.01 && gbps < 1e5;
}

int main(void)
{
	struct ea_open_options options = { .mode = EA_MODE_DIRECT };
	struct ea_device *dev = NULL;
	struct ea_error err = { { 0 } };
	double read = 0, copy = 0, read2 = 0, copy2 = 0;
	struct tap t = { 0 };
	char why[512];
	ea_status st;

	tap_plan(&t, 3);
	if (ea_open(&options, &dev, why, sizeof(why)) != EA_OK || ea_device_need_vk(dev) != EA_OK) {
		for (int i = 0; i < 3; i++)
			tap_ok(&t, true, "# SKIP no Vulkan device");
		ea_close(dev);
		return tap_done(&t);
	}
	st = ea_vk_stream_bandwidth(dev->vk, 32ull << 20, 4, &read, &copy, &err);
	tap_ok(&t, st == EA_OK && sane(read) && sane(copy),
	       "32 MiB, 4 passes on %s: streaming read %.1f GB/s, read + write %.1f GB/s %s",
	       dev->info.vk_name, read, copy, err.msg);
	st = ea_vk_stream_bandwidth(dev->vk, 1ull << 40, 1, &read2, &copy2, &err);
	tap_ok(&t, st == EA_OK && sane(read2) && sane(copy2),
	       "1 TiB asked: cut to what the device binds (%llu MiB), %.1f and %.1f GB/s %s",
	       (unsigned long long)(dev->vk->limits.maxStorageBufferRange >> 20), read2, copy2,
	       err.msg);
	st = ea_vk_stream_bandwidth(dev->vk, 32ull << 20, 8, &read2, &copy2, &err);
	tap_ok(&t, st == EA_OK && read2 > read / 3 && read2 < read * 3,
	       "8 passes read at %.1f GB/s, 4 at %.1f: the figure is a rate, not a count", read2,
	       read);
	ea_close(dev);
	return tap_done(&t);
}
