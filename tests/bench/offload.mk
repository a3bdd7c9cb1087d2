# `make bench-offload`: TTFT and total latency of local, offloaded and routed
# requests at netem round trips of 5, 50 and 200 ms (tests/bench/offload; in
# the VM when this machine's kernel has no sch_netem). Figures go to
# docs/PERFORMANCE.md, section Offload.

.PHONY: bench-offload
bench-offload: $(EDGEAI_CLI)
	@tests/bench/offload
