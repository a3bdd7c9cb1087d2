# tools/: build/bin/edgeai, the command-line tool, linked against
# build/libedgeai.so (found through its rpath, $ORIGIN/..).

EDGEAI_CLI      := $(BUILD)/bin/edgeai
EDGEAI_CLI_SRCS := $(sort $(wildcard tools/edgeai/*.c))
EDGEAI_CLI_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(EDGEAI_CLI_SRCS))
# edgeai serve: libmicrohttpd and json-c.
EDGEAI_CLI_PKGS := libmicrohttpd json-c

tools: $(EDGEAI_CLI)

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(LIBEDGEAI_INTERNAL_INC) $(shell pkg-config --cflags $(EDGEAI_CLI_PKGS)) $(CFLAGS) \
		-MMD -MP -c -o $@ $<

$(EDGEAI_CLI): $(EDGEAI_CLI_OBJS) $(LIBEDGEAI_SO)
	@mkdir -p $(@D)
	$(CC) -o $@ $(EDGEAI_CLI_OBJS) -L$(BUILD) -ledgeai \
		$(shell pkg-config --libs $(EDGEAI_CLI_PKGS)) -lpthread -lm '-Wl,-rpath,$$ORIGIN/..'

-include $(EDGEAI_CLI_OBJS:.o=.d)
