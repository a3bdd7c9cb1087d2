# shaders/: every shaders/*.comp is compiled to SPIR-V with glslc, checked with
# spirv-val, and embedded into libedgeai (SHADER_EMBED_OBJS, linked by
# libedgeai/libedgeai.mk) through a generated .incbin file and a name table.

GLSLC       ?= glslc
SPIRV_VAL   ?= spirv-val
SHADER_ENV  := vulkan1.2

SHADER_SRCS := $(sort $(wildcard shaders/*.comp))
# A shader marked "// variants: subgroup" is also built with EA_SUBGROUP
# defined, as NAME_sg, for devices with subgroup arithmetic; the library picks
# one of the two at run time.
SHADER_SG_SRCS := $(shell grep -l '^// variants: subgroup' $(SHADER_SRCS) /dev/null)
# One marked "// variants: cpu" is also built with EA_CPU_SHAPE defined, as
# NAME_cpu, shaped for devices that run shaders on the CPU (lavapipe).
SHADER_CPU_SRCS := $(shell grep -l '^// variants: cpu' $(SHADER_SRCS) /dev/null)
# One marked "// variants: ..., coopmat" is also built with EA_COOPMAT defined, as
# NAME_cm, for the GPU's matrix units (GL_NV_cooperative_matrix).
SHADER_CM_SRCS := $(shell grep -l '^// variants:.*coopmat' $(SHADER_SRCS) /dev/null)
SHADER_SPVS := $(patsubst shaders/%.comp,$(BUILD)/shaders/%.spv,$(SHADER_SRCS)) \
	       $(patsubst shaders/%.comp,$(BUILD)/shaders/%_sg.spv,$(SHADER_SG_SRCS)) \
	       $(patsubst shaders/%.comp,$(BUILD)/shaders/%_cpu.spv,$(SHADER_CPU_SRCS)) \
	       $(patsubst shaders/%.comp,$(BUILD)/shaders/%_cm.spv,$(SHADER_CM_SRCS))
SHADER_EMBED_S := $(BUILD)/shaders/ea_shader_blobs.S
SHADER_EMBED_C := $(BUILD)/shaders/ea_shader_table.c
SHADER_EMBED_OBJS := $(BUILD)/shaders/ea_shader_blobs.o $(BUILD)/shaders/ea_shader_table.o

shaders: $(SHADER_SPVS)

# glslc writes the .spv only after spirv-val accepts it, so a bad shader never
# reaches the library.
$(BUILD)/shaders/%.spv: shaders/%.comp
	@mkdir -p $(@D)
	$(GLSLC) --target-env=$(SHADER_ENV) -O -MD -MF $@.d -MT $@ -o $@.tmp $<
	$(SPIRV_VAL) --target-env $(SHADER_ENV) $@.tmp
	mv $@.tmp $@

$(BUILD)/shaders/%_sg.spv: shaders/%.comp
	@mkdir -p $(@D)
	$(GLSLC) --target-env=$(SHADER_ENV) -O -DEA_SUBGROUP -MD -MF $@.d -MT $@ -o $@.tmp $<
	$(SPIRV_VAL) --target-env $(SHADER_ENV) $@.tmp
	mv $@.tmp $@

$(BUILD)/shaders/%_cpu.spv: shaders/%.comp
	@mkdir -p $(@D)
	$(GLSLC) --target-env=$(SHADER_ENV) -O -DEA_CPU_SHAPE -MD -MF $@.d -MT $@ -o $@.tmp $<
	$(SPIRV_VAL) --target-env $(SHADER_ENV) $@.tmp
	mv $@.tmp $@

$(BUILD)/shaders/%_cm.spv: shaders/%.comp
	@mkdir -p $(@D)
	$(GLSLC) --target-env=$(SHADER_ENV) -O -DEA_COOPMAT -MD -MF $@.d -MT $@ -o $@.tmp $<
	$(SPIRV_VAL) --target-env $(SHADER_ENV) $@.tmp
	mv $@.tmp $@

# The generated files list every shader: regenerate when the list changes.
$(BUILD)/shaders/shader-list: FORCE
	@mkdir -p $(@D)
	@echo '$(SHADER_SPVS)' | cmp -s - $@ || echo '$(SHADER_SPVS)' >$@

$(SHADER_EMBED_S) $(SHADER_EMBED_C) &: shaders/embed.sh $(BUILD)/shaders/shader-list
	shaders/embed.sh $(SHADER_EMBED_S) $(SHADER_EMBED_C) $(SHADER_SPVS)

$(BUILD)/shaders/ea_shader_blobs.o: $(SHADER_EMBED_S) $(SHADER_SPVS)
	$(CC) -c -o $@ $<

$(BUILD)/shaders/ea_shader_table.o: $(SHADER_EMBED_C)
	$(CC) $(BASE_CFLAGS) $(LIBEDGEAI_INTERNAL_INC) $(CFLAGS) -MMD -MP -c -o $@ $<

.PHONY: FORCE
FORCE:

-include $(SHADER_SPVS:.spv=.spv.d) $(BUILD)/shaders/ea_shader_table.d
