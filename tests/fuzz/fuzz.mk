# tests/fuzz/: libFuzzer targets of the parsers of outside input.
# `make fuzz` builds build/fuzz/fuzz_gguf with clang (ASan + UBSan) and runs it
# for FUZZ_SECONDS over a copy of the seed corpus tests/fuzz/corpus/gguf/
# (new inputs go to build/fuzz/corpus-gguf, never into the committed seeds).
# Crashes are written to build/fuzz/ as crash-*, and the target fails.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(LIBEDGEAI_INTERNAL_INC) -Ilibedgeai/include
FUZZ_GGUF_SRCS := tests/fuzz/fuzz_gguf.c libedgeai/core/ea_error.c libedgeai/model/ea_gguf.c \
		  libedgeai/model/ea_quant.c libedgeai/model/ea_tokenizer.c

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_DIR)/fuzz_gguf

$(FUZZ_DIR)/fuzz_gguf: $(FUZZ_GGUF_SRCS) $(wildcard libedgeai/*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_GGUF_SRCS) -lm

fuzz: $(FUZZ_DIR)/fuzz_gguf
	@mkdir -p $(FUZZ_DIR)/corpus-gguf
	cp -n tests/fuzz/corpus/gguf/* $(FUZZ_DIR)/corpus-gguf/
	cd $(FUZZ_DIR) && ./fuzz_gguf -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus-gguf
