# tests/bench/: benchmarks that print their figures and end with one JSON line.
# `make bench-kmod` runs the module's null-job benchmark in the VM.

KMOD_BENCH := $(BUILD)/bench/kmod_bench

$(KMOD_BENCH): tests/bench/kmod_bench.c uapi/edgeai_accel.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $<

.PHONY: bench-kmod
bench-kmod: kmod $(KMOD_BENCH) $(EDGEAID)
	tests/vm/run $(KMOD_BENCH)
