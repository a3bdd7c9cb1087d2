# tools/: build/bin/edgeai, the command-line tool, linked with
# build/libedgeai.a: besides the API it uses the library's internals (the
# engine backends, the executor's profile, GGUF writing for synth), which
# libedgeai.so does not export.

EDGEAI_CLI      := $(BUILD)/bin/edgeai
EDGEAI_CLI_SRCS := $(sort $(wildcard tools/edgeai/*.c))
EDGEAI_CLI_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(EDGEAI_CLI_SRCS))
# edgeai serve: libmicrohttpd and json-c; edgeai top: ncurses (its library
# only: its header needs no flags, and its -D_XOPEN_SOURCE is not ours).
EDGEAI_CLI_PKGS := libmicrohttpd json-c

tools: $(EDGEAI_CLI)

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(LIBEDGEAI_INTERNAL_INC) $(shell pkg-config --cflags $(EDGEAI_CLI_PKGS)) $(CFLAGS) \
		-MMD -MP -c -o $@ $<

$(EDGEAI_CLI): $(EDGEAI_CLI_OBJS) $(LIBEDGEAI_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(EDGEAI_CLI_OBJS) $(LIBEDGEAI_A) $(LIBEDGEAI_LIBS) \
		$(shell pkg-config --libs $(EDGEAI_CLI_PKGS) ncurses) -lpthread -lm

-include $(EDGEAI_CLI_OBJS:.o=.d)
