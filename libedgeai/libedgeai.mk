# libedgeai/: build/libedgeai.so (soname libedgeai.so.0) and build/libedgeai.a,
# with the SPIR-V of shaders/ embedded (SHADER_EMBED_OBJS from shaders/shaders.mk).

LIBEDGEAI_SONAME := libedgeai.so.0
LIBEDGEAI_SO     := $(BUILD)/libedgeai.so
LIBEDGEAI_A      := $(BUILD)/libedgeai.a
LIBEDGEAI_LIBS   := $(shell pkg-config --libs vulkan libdrm libcurl json-c) -lm

LIBEDGEAI_CFLAGS := $(BASE_CFLAGS) $(shell pkg-config --cflags libdrm libcurl json-c) \
		    -fvisibility=hidden $(CFLAGS)
LIBEDGEAI_SRCS   := $(sort $(wildcard libedgeai/*.c))
LIBEDGEAI_OBJS   := $(patsubst libedgeai/%.c,$(BUILD)/libedgeai/%.o,$(LIBEDGEAI_SRCS)) \
		    $(SHADER_EMBED_OBJS)

lib: $(LIBEDGEAI_SO) $(LIBEDGEAI_A)

$(BUILD)/libedgeai/%.o: libedgeai/%.c
	@mkdir -p $(@D)
	$(CC) $(LIBEDGEAI_CFLAGS) -MMD -MP -c -o $@ $<

# The real file carries the soname; libedgeai.so is the link-time name.
$(BUILD)/$(LIBEDGEAI_SONAME): $(LIBEDGEAI_OBJS)
	$(CC) -shared -Wl,-soname,$(LIBEDGEAI_SONAME) -Wl,--no-undefined \
		-Wl,-z,noexecstack -o $@ $^ $(LIBEDGEAI_LIBS)

$(LIBEDGEAI_SO): $(BUILD)/$(LIBEDGEAI_SONAME)
	ln -sf $(LIBEDGEAI_SONAME) $@

$(LIBEDGEAI_A): $(LIBEDGEAI_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

-include $(LIBEDGEAI_OBJS:.o=.d)
