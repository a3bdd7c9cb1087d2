# Kernel tests in the kselftest format (TAP), run inside the VM (tests/vm/run).
# kselftest_harness.h and kselftest.h come from Debian's linux-source-6.12
# tarball at build time; only those two files are extracted, once.

KSELFTEST_SRC_DIR := tests/kselftest
KSELFTEST_OUT     := $(BUILD)/tests/kselftest
KSELFTEST_INC     := $(BUILD)/kselftest/include
KSELFTEST_HDRS    := $(KSELFTEST_INC)/kselftest_harness.h $(KSELFTEST_INC)/kselftest.h
KSELFTEST_TARDIR  := linux-source-6.12/tools/testing/selftests

KSELFTEST_NAMES   := edgeai_param_test edgeai_open_test edgeai_bo_test edgeai_job_test \
		     edgeai_random_test
KSELFTEST_BINS    := $(addprefix $(KSELFTEST_OUT)/,$(KSELFTEST_NAMES))

# The harness headers come in with -isystem, so the warnings judge our code.
KSELFTEST_CFLAGS  := $(BASE_CFLAGS) -isystem $(KSELFTEST_INC) $(CFLAGS)

.PHONY: tests
tests: $(KSELFTEST_BINS)

# -m: give the files the time of extraction, so they are newer than the
# tarball and make does not extract them again.
$(KSELFTEST_HDRS) &: $(KSRC_TAR)
	@test -f $(KSRC_TAR) || { echo "no $(KSRC_TAR): run 'make deps'" >&2; exit 1; }
	mkdir -p $(KSELFTEST_INC)
	tar -xJmf $(KSRC_TAR) -C $(KSELFTEST_INC) --strip-components=4 \
		$(KSELFTEST_TARDIR)/kselftest_harness.h $(KSELFTEST_TARDIR)/kselftest.h

$(KSELFTEST_OUT)/%: $(KSELFTEST_SRC_DIR)/%.c $(KSELFTEST_SRC_DIR)/edgeai_test.h \
		    uapi/edgeai_accel.h $(KSELFTEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(KSELFTEST_CFLAGS) -o $@ $<
