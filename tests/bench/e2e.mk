# kmod end to end: the client of tests/vm/kmod-e2e (which tests/vm/kernel-tests
# runs in the VM) and `make bench-kmod-e2e`, generated tokens/s through the
# module and edgeaid against direct mode, same model, same VM run.
# Include after libedgeai.mk and tools/edgeaid/edgeaid.mk.

KMOD_E2E_CLIENT := $(BUILD)/tests/vm/kmod_e2e_client

$(KMOD_E2E_CLIENT): tests/vm/kmod_e2e_client.c $(LIBEDGEAI_A)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(LIBEDGEAI_INTERNAL_INC) $(shell pkg-config --cflags libdrm) $(CFLAGS) -o $@ $< \
		$(LIBEDGEAI_A) $(LIBEDGEAI_LIBS)

tests: $(KMOD_E2E_CLIENT) $(EDGEAID)

.PHONY: bench-kmod-e2e
bench-kmod-e2e: kmod $(KMOD_E2E_CLIENT) $(EDGEAID) $(EDGEAI_CLI)
	tests/vm/run tests/bench/e2e.sh
