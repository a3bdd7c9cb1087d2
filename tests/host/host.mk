# tests/host/: host tests of libedgeai, each a binary printing TAP, run against
# Vulkan on whatever device is here (lavapipe on a plain host).
# `make -s print-host-tests` lists the binaries, one per line, for the runner.

HOST_TEST_DIR   := $(BUILD)/tests/host
HOST_TEST_SRCS  := $(sort $(wildcard tests/host/test_*.c))
HOST_TESTS      := $(patsubst tests/host/%.c,$(HOST_TEST_DIR)/%,$(HOST_TEST_SRCS))

# Tests that are scripts printing TAP, run by tests/run-all as they are.
HOST_TEST_SCRIPTS := tests/style/checkpatch tests/style/layers tests/style/exports tests/collab/eval-reduced tests/serve/hostile tests/install/run tests/deb/run tests/top/run tests/prof/run tests/openai-sdk/run tests/net/run

.PHONY: tests print-host-tests
tests: $(HOST_TESTS)

print-host-tests:
	@printf '%s\n' $(HOST_TESTS)

$(HOST_TEST_DIR)/%.o: tests/host/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(LIBEDGEAI_INTERNAL_INC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Linked statically against the library, so they run from anywhere; they may
# test the library's internal interfaces ($(LIBEDGEAI_INTERNAL_INC)) as well as edgeai.h.
$(HOST_TESTS): $(HOST_TEST_DIR)/%: $(HOST_TEST_DIR)/%.o $(LIBEDGEAI_A)
	$(CC) -o $@ $< $(LIBEDGEAI_A) $(LIBEDGEAI_LIBS)

# test_serve runs build/bin/edgeai serve; test_cli every subcommand's option parsing.
$(HOST_TEST_DIR)/test_serve $(HOST_TEST_DIR)/test_cli: | $(EDGEAI_CLI)
# test_route and test_route_serve run build/bin/edgeai synth and serve.
$(HOST_TEST_DIR)/test_route $(HOST_TEST_DIR)/test_route_serve: | $(EDGEAI_CLI)

-include $(HOST_TESTS:=.d)
