// SPDX-License-Identifier: GPL-2.0-only
/*
 * edgeai open/close life cycle: several processes use the device at once,
 * the module cannot be unloaded while a file is open, and it unloads and
 * loads again cleanly once every file is closed.  Runs as root inside the
 * VM, with edgeai.ko loaded; the module is loaded again at the end.
 */

#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "edgeai_test.h"

/* Where the module is, relative to the repository root (the VM's cwd). */
#define EDGEAI_KO_DEFAULT	"kmod/edgeai.ko"
#define EDGEAI_NODE_WAIT_MS	2000

static int edgeai_open(void)
{
	return open(EDGEAI_DEV_PATH, O_RDWR | O_CLOEXEC);
}

static int edgeai_check_abi(int fd)
{
	__u64 value = 0;

	return edgeai_get_param(fd, EDGEAI_PARAM_ABI_VERSION, &value) == 0 &&
	       value == EDGEAI_ABI_VERSION;
}

/*
 * The second process: opens its own file while the parent holds one, reads
 * a parameter, tells the parent, and keeps the file open until the parent
 * has read its own.  Exit status 0 when all of that worked.
 */
static int second_process(int ready_fd, int done_fd)
{
	char byte = 0;
	int fd, ok;

	fd = edgeai_open();
	ok = fd >= 0 && edgeai_check_abi(fd);
	if (write(ready_fd, &byte, 1) != 1)
		ok = 0;
	if (read(done_fd, &byte, 1) != 1)
		ok = 0;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : 1;
}

TEST(two_processes_open_at_once)
{
	int ready[2], done[2], status, fd;
	char byte = 0;
	pid_t pid;

	fd = edgeai_open();
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(second_process(ready[1], done[0]));

	ASSERT_EQ(1, read(ready[0], &byte, 1));
	EXPECT_TRUE(edgeai_check_abi(fd));
	ASSERT_EQ(1, write(done[1], &byte, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("second process failed, status 0x%x", status);
	close(fd);
}

static int edgeai_delete_module(void)
{
	if (syscall(SYS_delete_module, EDGEAI_MODULE_NAME, O_NONBLOCK))
		return -errno;
	return 0;
}

/*
 * An open file pins the module (the file operations' owner), so a
 * non-blocking delete_module fails.  The kernel's module loader answers
 * -EWOULDBLOCK (== EAGAIN) for "still in use"; rmmod reports it as busy.
 */
TEST(unload_refused_while_open)
{
	int fd = edgeai_open();

	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
	EXPECT_EQ(-EWOULDBLOCK, edgeai_delete_module());
	EXPECT_TRUE(edgeai_check_abi(fd));
	close(fd);
}

/* Module parameters of the running module, as "name=value ..." for reload. */
static int edgeai_current_params(char *buf, size_t size)
{
	unsigned long long value;
	size_t i, len = 0;
	int ret;

	buf[0] = '\0';
	for (i = 0; i < EDGEAI_LIMIT_COUNT; i++) {
		ret = edgeai_read_module_param(edgeai_limit_params[i].name,
					       &value);
		if (ret)
			return ret;
		len += snprintf(buf + len, size - len, "%s=%llu ",
				edgeai_limit_params[i].name, value);
		if (len >= size)
			return -ENOSPC;
	}
	return 0;
}

static int edgeai_load_module(const char *path, const char *params)
{
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* devtmpfs creates the node as the device registers; give it a moment. */
static int edgeai_wait_for_node(void)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int waited_ms;

	for (waited_ms = 0; waited_ms < EDGEAI_NODE_WAIT_MS; waited_ms += 10) {
		if (access(EDGEAI_DEV_PATH, F_OK) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -ETIMEDOUT;
}

/*
 * With every file closed the module unloads, its node goes away, and it
 * loads again with the same parameters: the next test (and the VM runner's
 * final rmmod) find it as it was.
 */
TEST(unload_and_reload_when_closed)
{
	const char *ko = getenv("EDGEAI_KO");
	char params[512];
	int fd;

	if (!ko)
		ko = EDGEAI_KO_DEFAULT;

	if (access(ko, R_OK))
		SKIP(return, "%s not readable, would not reload after unload", ko);
	ASSERT_EQ(0, edgeai_current_params(params, sizeof(params)));

	ASSERT_EQ(0, edgeai_delete_module());
	EXPECT_NE(0, access(EDGEAI_DEV_PATH, F_OK));
	EXPECT_NE(0, access(EDGEAI_SYSFS_PARAMS, F_OK));

	ASSERT_EQ(0, edgeai_load_module(ko, params))
		TH_LOG("reload %s with \"%s\" failed; module left unloaded",
		       ko, params);
	ASSERT_EQ(0, edgeai_wait_for_node());

	fd = edgeai_open();
	ASSERT_LE(0, fd) TH_LOG("open after reload: %s", strerror(errno));
	EXPECT_TRUE(edgeai_check_abi(fd));
	close(fd);
}

TEST_HARNESS_MAIN
