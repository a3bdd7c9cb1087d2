# libedgeai/: build/libedgeai.so (soname libedgeai.so.0) and build/libedgeai.a,
# with the SPIR-V of shaders/ embedded (SHADER_EMBED_OBJS from shaders/shaders.mk).
#
# One folder a layer, lower layers first; a layer includes only its own
# headers and those of the layers below (tests/style/layers checks it):
#   core/   status codes and messages, SHA-256 (libcrypto), fp16
#   model/  GGUF read and write, tensor types, tokenizers, the loaded model
#   ref/    the CPU reference forward pass
#   vk/     Vulkan: device selection, buffers, embedded shaders, kernel builds
#   exec/   the executor: the op table, recording and replaying a command
#           stream, buffer residency and kmod jobs, the module's fetch/complete
#           binding, opening a device (direct or kmod mode)
#   engine/ building command streams, the engine interface and its three
#           backends (direct, kmod, CPU), sessions, sampling, ea_generate()
#   cloud/  the OpenAI-compatible HTTP client, SSE, the personal-data detector
#   route/  routed generation: decision, offload, fallback, redaction
# include/edgeai.h is the public API, the only one libedgeai.so exports
# (tests/style/exports checks it); tools and tests that need internals link
# libedgeai.a. Internal headers are found by name
# (#include "ea_model.h") through LIBEDGEAI_INTERNAL_INC, which the tests and
# tools that use internal interfaces add too.

LIBEDGEAI_LAYERS := core model ref vk exec engine cloud route
LIBEDGEAI_INTERNAL_INC := $(patsubst %,-Ilibedgeai/%,$(LIBEDGEAI_LAYERS)) -Ishaders

LIBEDGEAI_SONAME := libedgeai.so.0
LIBEDGEAI_SO     := $(BUILD)/libedgeai.so
LIBEDGEAI_A      := $(BUILD)/libedgeai.a
LIBEDGEAI_LIBS   := $(shell pkg-config --libs vulkan libdrm libcurl json-c libcrypto) -lm

LIBEDGEAI_CFLAGS := $(BASE_CFLAGS) $(shell pkg-config --cflags libdrm libcurl json-c libcrypto) \
		    $(LIBEDGEAI_INTERNAL_INC) -fvisibility=hidden $(CFLAGS)
LIBEDGEAI_SRCS   := $(sort $(wildcard $(patsubst %,libedgeai/%/*.c,$(LIBEDGEAI_LAYERS))))
LIBEDGEAI_OBJS   := $(patsubst libedgeai/%.c,$(BUILD)/libedgeai/%.o,$(LIBEDGEAI_SRCS)) \
		    $(SHADER_EMBED_OBJS)

lib: $(LIBEDGEAI_SO) $(LIBEDGEAI_A)

$(BUILD)/libedgeai/%.o: libedgeai/%.c
	@mkdir -p $(@D)
	$(CC) $(LIBEDGEAI_CFLAGS) -MMD -MP -c -o $@ $<

# The real file carries the soname; libedgeai.so is the link-time name.
$(BUILD)/$(LIBEDGEAI_SONAME): $(LIBEDGEAI_OBJS)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIBEDGEAI_SONAME) -Wl,--no-undefined \
		-Wl,-z,noexecstack -o $@ $^ $(LIBEDGEAI_LIBS)

$(LIBEDGEAI_SO): $(BUILD)/$(LIBEDGEAI_SONAME)
	ln -sf $(LIBEDGEAI_SONAME) $@

$(LIBEDGEAI_A): $(LIBEDGEAI_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

-include $(LIBEDGEAI_OBJS:.o=.d)
