# tools/sched/: the BPF routing policies (*.bpf.c, clang's BPF target, one
# libbpf skeleton each) and build/bin/edgeai-sched, their loader; the
# kselftest edgeai_sched_test (in `tests`) links the same skeletons.
# The kernel's types come from the headers' vmlinux BTF, the module's from
# kmod/edgeai.ko's BTF; both need bpftool (make deps).

SCHED_OUT      := $(BUILD)/sched
SCHED_POLICIES := latency privacy power cascade
SCHED_SKELS    := $(patsubst %,$(SCHED_OUT)/%.skel.h,$(SCHED_POLICIES))
SCHED_TEST_SKEL := $(SCHED_OUT)/invalid.skel.h
SCHED_GEN_HDRS := $(SCHED_OUT)/vmlinux.h $(SCHED_OUT)/edgeai_consts.h
EDGEAI_SCHED   := $(BUILD)/bin/edgeai-sched
SCHED_TEST     := $(BUILD)/tests/kselftest/edgeai_sched_test
BPFTOOL        ?= bpftool
BPF_CLANG      ?= clang
BPF_CFLAGS     := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
		  -I$(SCHED_OUT) -Itools/sched -Iuapi
SCHED_CFLAGS   := $(BASE_CFLAGS) -I$(SCHED_OUT) -Itools/sched $(CFLAGS)

# build/bpftool/bpftool, bpftool fixed for module struct_ops (the kselftest's).
include tools/sched/bpftool/bpftool.mk

# bpftool and libbpf come from `make deps`; without them the build stops here
# rather than leaving the scheduler and its tests silently out.
tools: $(EDGEAI_SCHED)
tests: $(SCHED_TEST)

# The kernel's types and the module's, in one header: the module's split BTF
# dumped on top of the headers' vmlinux BTF.
$(SCHED_OUT)/vmlinux.h: kmod/edgeai.ko
	@mkdir -p $(@D)
	$(BPFTOOL) -B $(KDIR)/vmlinux btf dump file $< format c > $@.tmp && mv $@.tmp $@

# The empty recipe makes make read the .ko's time again once kmod has run, so
# a module rebuilt in this run regenerates vmlinux.h in this run too.
kmod/edgeai.ko: kmod ; @:

# The uapi's one-line numeric constants, without drm.h (which clashes with vmlinux.h).
$(SCHED_OUT)/edgeai_consts.h: uapi/edgeai_accel.h
	@mkdir -p $(@D)
	grep -E '^#define EDGEAI_[A-Z0-9_]+[[:space:]]+[^\\]*$$' $< > $@.tmp && mv $@.tmp $@

SCHED_BPF_HDRS := tools/sched/policy.bpf.h tools/sched/sched_maps.h uapi/edgeai_policy.h \
		  $(SCHED_GEN_HDRS)

$(SCHED_OUT)/%.bpf.o: tools/sched/%.bpf.c $(SCHED_BPF_HDRS)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SCHED_OUT)/invalid.bpf.o: tests/kselftest/sched_invalid.bpf.c $(SCHED_BPF_HDRS)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

.PRECIOUS: $(SCHED_OUT)/%.bpf.o

# bpftool 7.5 writes map->link, a field of libbpf 1.5's skeleton that
# libbpf 1.4 lacks; the loaders attach struct_ops maps themselves.
$(SCHED_OUT)/%.skel.h: $(SCHED_OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf | \
		sed '/map->link = &obj->links\./d' > $@.tmp && mv $@.tmp $@

$(EDGEAI_SCHED): tools/sched/edgeai-sched.c tools/sched/sched_maps.h $(SCHED_SKELS)
	@mkdir -p $(@D)
	$(CC) $(SCHED_CFLAGS) $(LDFLAGS) -o $@ $< -lbpf -lelf -lz

$(SCHED_TEST): tests/kselftest/edgeai_sched_test.c tests/kselftest/edgeai_test.h \
	       uapi/edgeai_accel.h $(SCHED_SKELS) $(SCHED_TEST_SKEL) $(KSELFTEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(KSELFTEST_CFLAGS) -I$(SCHED_OUT) -Itools/sched -o $@ $< -lbpf -lelf -lz
