# tools/edgeaid/: build/bin/edgeaid, the executor daemon. Linked with
# build/libedgeai.a for ea_kmod_exec, ea_vk and ea_vk_exec, which the shared
# library keeps hidden. Include after libedgeai.mk and tools.mk.
# tools/edgeaid/edgeaid.service is its systemd unit.

EDGEAID      := $(BUILD)/bin/edgeaid
EDGEAID_SRCS := $(sort $(wildcard tools/edgeaid/*.c))
EDGEAID_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(EDGEAID_SRCS))

$(EDGEAID_OBJS): CFLAGS += $(LIBEDGEAI_INTERNAL_INC)

tools: $(EDGEAID)

$(EDGEAID): $(EDGEAID_OBJS) $(LIBEDGEAI_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(EDGEAID_OBJS) $(LIBEDGEAI_A) $(LIBEDGEAI_LIBS)
