#!/bin/bash
# Install everything edgeai's build, tests and demo need, from Debian's packages.
# Idempotent: a second run checks, finds nothing missing, and returns in seconds.
# Kernel: the newest 6.12 of bookworm-security; its image (for the VM) and its headers
# and kbuild (for building the module) are downloaded and unpacked under
# $EDGEAI_VM_DIR/KVER by scripts/unpack-kernel.sh, never installed, so this machine's
# /boot, boot loader and init are not touched. Only the headers' own dependencies
# (gcc-12, pahole, ...) are installed as packages.
set -euo pipefail

VM_DIR=${EDGEAI_VM_DIR:-/var/lib/edgeai/vm}
BACKPORTS_LIST=/etc/apt/sources.list.d/edgeai-bookworm-backports.sources

die() { echo "deps: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (try: sudo make deps)"
[ -r /etc/os-release ] || die "cannot read /etc/os-release: not a Debian system"
. /etc/os-release
[ "${ID:-}" = debian ] && [ "${VERSION_CODENAME:-}" = bookworm ] ||
	die "needs Debian 12 (bookworm); this is ${PRETTY_NAME:-unknown}"
[ "$(dpkg --print-architecture)" = amd64 ] || die "needs amd64"

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q --no-install-recommends -o Dpkg::Use-Pty=0)

# Packages from bookworm (and bookworm-security).
BASE_PKGS=(
	make gcc libc6-dev pkg-config xz-utils cpio kmod git ca-certificates
	dwarves linux-source-6.12
	qemu-system-x86 busybox-static
	libvulkan-dev glslc spirv-tools vulkan-tools
	libdrm-dev libcurl4-openssl-dev libjson-c-dev libmicrohttpd-dev
	libssl-dev	# libedgeai's SHA-256 (libcrypto), named though libcurl's -dev pulls it in
	clang llvm libclang-rt-14-dev iproute2 procps curl
	udev util-linux passwd	# tests/vm/exec-gid: udevadm, setpriv, groupadd
	patch python3 libelf-dev zlib1g-dev	# build/bpftool (tools/sched/bpftool/)
	gnuplot-nox	# make eval-collab's plot
	man-db groff-base	# tests/install/run: man --warnings on the manual pages
	libncurses-dev tmux	# edgeai top's screen; tests/top/run and tests/vm/top drive it in tmux
	dpkg-dev debhelper dh-dkms fakeroot lintian	# make deb
	dkms systemd	# tests/deb/run, in the VM: DKMS builds the module, systemd-analyze verify
	linux-perf	# tests/vm/trace: the module's tracepoints in `perf list`
)
# Packages that need bookworm-backports: module struct_ops need libbpf >= 1.4 and a
# matching bpftool; lavapipe wants a newer Mesa than bookworm's 22.3.
BPO_PKGS=(libbpf-dev bpftool mesa-vulkan-drivers)
declare -A BPO_MIN=([libbpf-dev]=1:1.4 [bpftool]=7.4 [mesa-vulkan-drivers]=24)

installed_version() {
	dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "install" && $3 == "installed" { print $4 }' || true
}

missing=()
for p in "${BASE_PKGS[@]}"; do
	[ -n "$(installed_version "$p")" ] || missing+=("$p")
done
# The OpenAI SDK test (tests/openai-sdk) needs node and npm: Debian's, unless some
# node and npm are on the PATH already (e.g. NodeSource's nodejs, which has npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	for p in nodejs npm; do
		[ -n "$(installed_version "$p")" ] || missing+=("$p")
	done
fi
missing_bpo=()
for p in "${BPO_PKGS[@]}"; do
	v=$(installed_version "$p")
	if [ -z "$v" ] || dpkg --compare-versions "$v" lt "${BPO_MIN[$p]}"; then
		missing_bpo+=("$p")
	fi
done

updated=0
apt_update() {
	[ $updated = 1 ] && return
	echo "deps: apt-get update"
	apt-get -q -o Dpkg::Use-Pty=0 update >/dev/null
	updated=1
}

if ! grep -rqs '^Suites:.*bookworm-backports' /etc/apt/sources.list.d/ &&
   ! grep -qs '^deb .* bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list; then
	echo "deps: enabling bookworm-backports"
	cat >"$BACKPORTS_LIST" <<-SRC
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: bookworm-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	SRC
	updated=0
	[ ${#missing_bpo[@]} -gt 0 ] || missing_bpo=("${BPO_PKGS[@]}")
fi

newest_kver() {
	apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ sub("^linux-headers-", "", $1); print $1 }' | sort -V | tail -n 1
}

# The kernel version: the newest one apt knows of; without network lists yet,
# the newest already installed.
kver=$(newest_kver)
if [ -z "$kver" ]; then
	apt_update
	kver=$(newest_kver)
fi
[ -n "$kver" ] || die "no linux-headers-6.12.*+deb12-amd64 package found (is bookworm-security enabled?)"

if [ ${#missing[@]} -gt 0 ] || [ ${#missing_bpo[@]} -gt 0 ]; then
	apt_update
	if [ ${#missing[@]} -gt 0 ]; then
		echo "deps: installing ${missing[*]}"
		apt-get "${APT_OPTS[@]}" install "${missing[@]}"
	fi
	if [ ${#missing_bpo[@]} -gt 0 ]; then
		echo "deps: installing from bookworm-backports: ${missing_bpo[*]}"
		apt-get "${APT_OPTS[@]}" -t bookworm-backports install "${missing_bpo[@]}"
	fi
fi

# The kernel, unpacked: the VM's image, and the headers the module is built against.
unpack=$(dirname "$0")/unpack-kernel.sh
if ! "$unpack" --check "$kver" "$VM_DIR"; then
	apt_update
	"$unpack" "$kver" "$VM_DIR"
fi
# What the unpacked headers need to build modules (dpkg-checkbuilddeps knows virtual
# packages like pahole and the versions).
build_depends=$(cat "$VM_DIR/$kver/build-depends")
if ! dpkg-checkbuilddeps -d "$build_depends" /dev/null 2>/dev/null; then
	apt_update
	echo "deps: installing what the kernel headers need: $build_depends"
	apt-get "${APT_OPTS[@]}" satisfy "$build_depends"
fi
echo "$kver" >"$VM_DIR/current.new" && mv "$VM_DIR/current.new" "$VM_DIR/current"

echo "deps: ready (kernel $kver)"
