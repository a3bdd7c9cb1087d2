# tools/edgeaid/: build/bin/edgeaid, the executor daemon: the loop, options
# and signals around libedgeai's executor (exec/ea_exec_kmod.h). Linked with
# build/libedgeai.a, since the shared library exports only the API. Include after libedgeai.mk and tools.mk.
# tools/edgeaid/edgeaid.service is its systemd unit.

EDGEAID      := $(BUILD)/bin/edgeaid
EDGEAID_SRCS := $(sort $(wildcard tools/edgeaid/*.c))
EDGEAID_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(EDGEAID_SRCS))

$(EDGEAID_OBJS): CFLAGS += $(LIBEDGEAI_INTERNAL_INC)

tools: $(EDGEAID)

$(EDGEAID): $(EDGEAID_OBJS) $(LIBEDGEAI_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(EDGEAID_OBJS) $(LIBEDGEAI_A) $(LIBEDGEAI_LIBS)
