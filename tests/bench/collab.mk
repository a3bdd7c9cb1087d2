# make eval-collab: edge-cloud collaboration measured on the trained pair
# (../shared/models, or EDGEAI_MODELS) by tests/bench/eval-collab: the routing
# frontier and prompt compression over EVAL_COLLAB_REQUESTS documents of
# heldout.txt (default 400), speculative decoding against `edgeai serve` at
# the round trips EVAL_SPEC_RTTS (default "0 5 20 50" ms; every test request
# at the first, EVAL_TIMING_REQUESTS (50) at each with k = 4 and adaptive k),
# a PNG plot and one JSON line, in build/eval-collab/. About a quarter of an
# hour on 2 cores.
# tests/collab/eval-reduced runs a few requests of every mode in make check.

EDGEAI_MODELS ?= ../shared/models
EVAL_COLLAB_REQUESTS ?= 400
EVAL_SPEC_RTTS ?= 0 5 20 50
EVAL_TIMING_REQUESTS ?= 50
DELAY_RELAY := $(BUILD)/bench/ea_delay_relay

$(DELAY_RELAY): tests/bench/ea_delay_relay.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $<

tests: $(DELAY_RELAY)

.PHONY: eval-collab
eval-collab: $(EDGEAI_CLI) $(DELAY_RELAY)
	EDGEAI_MODELS=$(EDGEAI_MODELS) EVAL_COLLAB_REQUESTS=$(EVAL_COLLAB_REQUESTS) \
		EVAL_SPEC_RTTS="$(EVAL_SPEC_RTTS)" EVAL_TIMING_REQUESTS=$(EVAL_TIMING_REQUESTS) \
		tests/bench/eval-collab
