# packaging/: `make install` and `make uninstall`, DESTDIR and PREFIX honoured.
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   what a service author and an
#        administrator need: libedgeai.so.0 (and libedgeai.so, libedgeai.a),
#        edgeai.h, edgeai.pc for pkg-config, the tools edgeai, edgeaid and
#        edgeai-sched, edgeaid's systemd unit (ExecStart at the installed
#        edgeaid), the udev rule of /dev/accel/accel*, the manual pages
#        edgeai(1), edgeai-serve(1), libedgeai(3), edgeai(4), edgeaid(8),
#        edgeai-sched(8)
#        (packaging/mkman, from docs/) and bash completion. Each installed file
#        is printed, and listed in $(PREFIX)/share/edgeai/installed.txt.
#   make uninstall [PREFIX=] [DESTDIR=]   removes exactly what that list says.
#
# The module is not installed here: it is built for one kernel (make kmod);
# Debian packages with DKMS are the way to rebuild it for every kernel.

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UNITDIR     ?= $(PREFIX)/lib/systemd/system
UDEVDIR     ?= $(PREFIX)/lib/udev/rules.d
DATADIR     ?= $(PREFIX)/share/edgeai
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALLED_LIST := $(DATADIR)/installed.txt

# install_file MODE SRC DST: one file, printed and listed.
define install_file
	install -D -m $(1) $(2) $(DESTDIR)$(3)
	@echo "  $(3)" && echo "$(3)" >>$(DESTDIR)$(INSTALLED_LIST).new
endef

.PHONY: install uninstall
install: lib tools
	@mkdir -p $(DESTDIR)$(DATADIR)
	@: >$(DESTDIR)$(INSTALLED_LIST).new
	@echo "installing into $(DESTDIR)$(PREFIX):"
	$(call install_file,0755,$(BUILD)/$(LIBEDGEAI_SONAME),$(LIBDIR)/$(LIBEDGEAI_SONAME))
	ln -sf $(LIBEDGEAI_SONAME) $(DESTDIR)$(LIBDIR)/libedgeai.so
	@echo "  $(LIBDIR)/libedgeai.so" && echo "$(LIBDIR)/libedgeai.so" >>$(DESTDIR)$(INSTALLED_LIST).new
	$(call install_file,0644,$(LIBEDGEAI_A),$(LIBDIR)/libedgeai.a)
	$(call install_file,0644,libedgeai/include/edgeai.h,$(INCLUDEDIR)/edgeai.h)
	@mkdir -p $(BUILD)/packaging
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(EDGEAI_VERSION)|' \
	    -e 's|@LIBS_PRIVATE@|$(LIBEDGEAI_LIBS)|' packaging/edgeai.pc.in >$(BUILD)/packaging/edgeai.pc
	$(call install_file,0644,$(BUILD)/packaging/edgeai.pc,$(PKGCONFIGDIR)/edgeai.pc)
	$(call install_file,0755,$(EDGEAI_CLI),$(BINDIR)/edgeai)
	$(call install_file,0755,$(EDGEAID),$(BINDIR)/edgeaid)
	$(call install_file,0755,$(EDGEAI_SCHED),$(BINDIR)/edgeai-sched)
	sed -e 's|^ExecStart=.*|ExecStart=$(BINDIR)/edgeaid|' tools/edgeaid/edgeaid.service \
	    >$(BUILD)/packaging/edgeaid.service
	$(call install_file,0644,$(BUILD)/packaging/edgeaid.service,$(UNITDIR)/edgeaid.service)
	$(call install_file,0644,tools/udev/70-edgeai.rules,$(UDEVDIR)/70-edgeai.rules)
	packaging/mkman $(BUILD)/man $(BUILD)/bin >/dev/null
	$(call install_file,0644,$(BUILD)/man/man1/edgeai.1,$(MANDIR)/man1/edgeai.1)
	$(call install_file,0644,$(BUILD)/man/man1/edgeai-serve.1,$(MANDIR)/man1/edgeai-serve.1)
	$(call install_file,0644,$(BUILD)/man/man3/libedgeai.3,$(MANDIR)/man3/libedgeai.3)
	$(call install_file,0644,$(BUILD)/man/man4/edgeai.4,$(MANDIR)/man4/edgeai.4)
	$(call install_file,0644,$(BUILD)/man/man8/edgeaid.8,$(MANDIR)/man8/edgeaid.8)
	$(call install_file,0644,$(BUILD)/man/man8/edgeai-sched.8,$(MANDIR)/man8/edgeai-sched.8)
	$(call install_file,0644,packaging/edgeai.bash-completion,$(BASHCOMPDIR)/edgeai)
	@echo "$(INSTALLED_LIST)" >>$(DESTDIR)$(INSTALLED_LIST).new
	@mv $(DESTDIR)$(INSTALLED_LIST).new $(DESTDIR)$(INSTALLED_LIST)
	@echo "  $(INSTALLED_LIST) (this list)"

uninstall:
	@test -f $(DESTDIR)$(INSTALLED_LIST) || \
		{ echo "nothing to uninstall: no $(DESTDIR)$(INSTALLED_LIST)" >&2; exit 1; }
	@while read -r f; do \
		rm -f "$(DESTDIR)$$f" && echo "  removed $$f"; \
	done <$(DESTDIR)$(INSTALLED_LIST)
	@-rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(PKGCONFIGDIR) 2>/dev/null || true
