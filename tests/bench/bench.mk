# tests/bench/: benchmarks that print their figures and end with one JSON line.
# `make bench-kmod` runs the module's null-job benchmark in the VM.

KMOD_BENCH := $(BUILD)/bench/kmod_bench

$(KMOD_BENCH): tests/bench/kmod_bench.c uapi/edgeai_accel.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $<

.PHONY: bench-kmod
bench-kmod: kmod $(KMOD_BENCH) $(EDGEAID)
	tests/vm/run $(KMOD_BENCH)

# `make bench-gpu`: the engine on a real GPU (tests/bench/bench-gpu): TinyLlama-shaped
# Q4_0, Q8_0, F16 and Q4_K_M models synthesized, `edgeai bench --json` on each and
# Q4_0 at context 2048; a table and the JSON lines, in build/bench-gpu/.
.PHONY: bench-gpu
bench-gpu: $(EDGEAI_CLI)
	@tests/bench/bench-gpu
