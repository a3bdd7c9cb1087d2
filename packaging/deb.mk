# packaging/: `make deb`, the Debian packages libedgeai0, libedgeai-dev, edgeai
# and edgeai-dkms in build/deb/, built with debhelper (and dh-dkms) from debian/
# in a copy of the tree (build/deb/src) and checked by lintian: packaging/mkdeb.
# docs/packaging.md says what each package holds.

DEB_DIR := $(BUILD)/deb

.PHONY: deb
deb:
	@KDIR=$(KDIR) packaging/mkdeb $(DEB_DIR)
