# libedgeai/: build/libedgeai.so (soname libedgeai.so.0) and build/libedgeai.a,
# with the SPIR-V of shaders/ embedded (SHADER_EMBED_OBJS from shaders/shaders.mk).
#
# One folder a layer, lower layers first:
#   core/   status codes, SHA-256 (libcrypto), fp16, opening a device (direct or kmod mode)
#   model/  GGUF read and write, tensor types, tokenizers, the loaded model
#   ref/    the CPU reference forward pass
#   vk/     Vulkan: device selection, buffers, embedded shaders, the ops
#   engine/ command streams, sessions, sampling, ea_generate()
#   kmod/   the client of edgeai.ko: GEM buffers, shared weights, SUBMIT
#   cloud/  the OpenAI-compatible HTTP client, SSE, the personal-data detector
#   route/  routed generation: decision, offload, fallback, redaction
# include/edgeai.h is the public API. Internal headers are found by name
# (#include "ea_model.h") through LIBEDGEAI_INTERNAL_INC, which the tests and
# tools that use internal interfaces add too.

LIBEDGEAI_LAYERS := core model ref vk engine kmod cloud route
LIBEDGEAI_INTERNAL_INC := $(patsubst %,-Ilibedgeai/%,$(LIBEDGEAI_LAYERS))

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
	$(CC) -shared -Wl,-soname,$(LIBEDGEAI_SONAME) -Wl,--no-undefined \
		-Wl,-z,noexecstack -o $@ $^ $(LIBEDGEAI_LIBS)

$(LIBEDGEAI_SO): $(BUILD)/$(LIBEDGEAI_SONAME)
	ln -sf $(LIBEDGEAI_SONAME) $@

$(LIBEDGEAI_A): $(LIBEDGEAI_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

-include $(LIBEDGEAI_OBJS:.o=.d)
