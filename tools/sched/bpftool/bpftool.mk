# build/bpftool/bpftool: Linux 6.12's bpftool with our fix for struct_ops
# types that a module registers (0001-*.patch: packaged bpftools segfault
# on edgeai_sched_ops). Only the parts of Debian's linux-source-6.12
# tarball that bpftool and its libbpf need are extracted, into
# build/bpftool-src/, and patched there; the build is the lean one that
# `features` describes. About 35 s on 2 cores, so `make` builds it;
# edgeai_sched_test runs it.

BPFTOOL_SRC     := $(BUILD)/bpftool-src
BPFTOOL_OUT     := $(BUILD)/bpftool
BPFTOOL_FIXED   := $(BPFTOOL_OUT)/bpftool
BPFTOOL_PATCHES := $(sort $(wildcard tools/sched/bpftool/*.patch))
BPFTOOL_PARTS   := tools/bpf/bpftool tools/lib/bpf tools/include tools/build \
		   tools/scripts tools/arch/x86/include scripts/bpf_doc.py \
		   kernel/bpf/disasm.c kernel/bpf/disasm.h

.PHONY: bpftool
bpftool: $(BPFTOOL_FIXED)
tools: $(BPFTOOL_FIXED)
tests: $(BPFTOOL_FIXED)

# A new tarball or patch starts again from a clean extraction, made aside
# and moved into place whole.
$(BPFTOOL_SRC)/.patched: $(KSRC_TAR) $(BPFTOOL_PATCHES)
	@test -f $(KSRC_TAR) || { echo "no $(KSRC_TAR): run 'make deps'" >&2; exit 1; }
	rm -rf $(BPFTOOL_SRC) $(BPFTOOL_OUT)
	mkdir -p $(BUILD)
	tmp=$$(mktemp -d $(BPFTOOL_SRC).XXXXXX) && trap 'rm -rf $$tmp' EXIT && \
	tar -xJf $(KSRC_TAR) -C $$tmp --strip-components=1 \
		$(addprefix linux-source-6.12/,$(BPFTOOL_PARTS)) && \
	for p in $(BPFTOOL_PATCHES); do \
		patch -d $$tmp -p1 -N -s --no-backup-if-mismatch < $$p || exit 1; \
	done && \
	touch $$tmp/.patched && mv -T $$tmp $(BPFTOOL_SRC)

$(BPFTOOL_FIXED): $(BPFTOOL_SRC)/.patched tools/sched/bpftool/features
	@mkdir -p $(BPFTOOL_OUT)
	$(MAKE) -C $(BPFTOOL_SRC)/tools/bpf/bpftool OUTPUT=$(CURDIR)/$(BPFTOOL_OUT)/ \
		FEATURES_DUMP=$(CURDIR)/tools/sched/bpftool/features VMLINUX_BTF=
