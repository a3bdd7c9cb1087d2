# edgeai — top-level build. `make` builds everything; `make check` runs every test;
# `make demo` runs the main job. Each folder owns a fragment (*.mk) included below.

# The 6.12 kernel the module is built for and the VM boots: the one `make deps` unpacked
# (scripts/unpack-kernel.sh) under VM_DIR, image and headers, without installing it.
# KDIR=/lib/modules/$(uname -r)/build builds against installed headers instead.
VM_DIR    ?= /var/lib/edgeai/vm
KVER      ?= $(shell cat $(VM_DIR)/current 2>/dev/null)
KDIR      ?= $(VM_DIR)/$(KVER)/usr/src/linux-headers-$(KVER)
KSRC_TAR  ?= /usr/src/linux-source-6.12.tar.xz

BUILD     := build
CC        ?= cc
CFLAGS    ?= -O2 -g
# CPPFLAGS and LDFLAGS: empty here; Debian's build (debian/rules) passes its hardening flags.
WARN      := -Wall -Wextra -Werror
# The release, in one place: the tools' --version, edgeai.pc, the manual pages.
EDGEAI_VERSION := 0.1.0
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -fPIC -Iuapi -Ilibedgeai/include \
	       -DEDGEAI_VERSION='"$(EDGEAI_VERSION)"' $(CPPFLAGS)

.PHONY: all deps kmod lib shaders tools check demo clean help
.DEFAULT_GOAL := all

all: kmod lib shaders tools

help:
	@echo "make deps     install build/test dependencies (Debian bookworm, as root)"
	@echo "make          build kmod/edgeai.ko, libedgeai, shaders and tools"
	@echo "make check    run host tests and VM tests; ends with 'N passed, N failed'"
	@echo "make demo     the main job: routed requests in the VM (MODEL=, CLOUD_MODEL=)"
	@echo "make deb      Debian packages (with DKMS for the module) in build/deb/, lintian-checked"

deps:
	@scripts/deps.sh

# The kernel module, out of tree, against the 6.12 headers (Kbuild at the top).
kmod:
	@test -d $(KDIR) || { echo "no kernel headers at $(KDIR): run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

include shaders/shaders.mk
include libedgeai/libedgeai.mk
include tools/tools.mk
include tools/edgeaid/edgeaid.mk
include tests/host/host.mk
include tests/kselftest/kselftest.mk
include tools/sched/sched.mk
include tests/fuzz/fuzz.mk
include tests/bench/bench.mk
include tests/bench/sched.mk
include tests/bench/e2e.mk
include tests/bench/offload.mk
include tests/bench/collab.mk
include tests/bench/serve.mk
include packaging/install.mk
include packaging/deb.mk

# Tests: host tests here, kernel tests in the VM; one summary at the end.
check: deps
	@$(MAKE) --no-print-directory all tests
	@tests/run-all

demo: deps
	@$(MAKE) --no-print-directory all
	@MODEL="$(MODEL)" CLOUD_MODEL="$(CLOUD_MODEL)" scripts/demo.sh

# The module's build products, named: Kbuild's own `clean` with M= the top of the tree
# deletes every *.ko.* and *.[aios] file below it, docs/edgeai.ko.md among them.
KMOD_PRODUCTS := kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/modules.order \
		 .module-common.o .*.cmd Module.symvers modules.order
clean:
	rm -f $(KMOD_PRODUCTS)
	rm -rf $(BUILD)

# `make -s print-VAR` prints a make variable, one word per line (used by tests/run-all).
print-%:
	@printf '%s\n' $($*)
