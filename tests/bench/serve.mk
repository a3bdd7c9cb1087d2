# `make bench-serve`: edgeai serve under load on loopback (tests/bench/bench-serve):
# requests/s and p50/p99 latency for 1, 8 and 32 concurrent clients on the CPU
# reference (BENCH_SERVE_SECONDS each, default 10), and /v1/models latency with
# 1,000 idle connections held open; a table and one JSON line. Figures go to
# docs/PERFORMANCE.md, section Serving.

BENCH_SERVE_SECONDS ?= 10

.PHONY: bench-serve
bench-serve: $(EDGEAI_CLI)
	@tests/bench/bench-serve --seconds $(BENCH_SERVE_SECONDS)
