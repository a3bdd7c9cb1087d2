# `make bench-sched`: ROUTE latency with a BPF policy, with the built-in
# policy, and GET_PARAM as the no-op ioctl, in one run in the VM.
# Needs tools/sched/sched.mk (the latency policy's skeleton).

SCHED_BENCH := $(BUILD)/bench/sched_bench

$(SCHED_BENCH): tests/bench/sched_bench.c uapi/edgeai_accel.h tools/sched/sched_maps.h $(SCHED_SKELS)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -I$(SCHED_OUT) -Itools/sched $(CFLAGS) -o $@ $< -lbpf -lelf -lz

.PHONY: bench-sched
bench-sched: kmod $(SCHED_BENCH)
	tests/vm/run $(SCHED_BENCH)
