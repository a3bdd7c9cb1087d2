#!/bin/bash
# scripts/unpack-kernel.sh - Debian's 6.12 kernel for the test VM and for building
# the module, downloaded (apt-get download) and unpacked (dpkg-deb -x) under
# DIR/KVER, never installed: this machine's /boot, boot loader and dpkg database
# stay as they are.
#
#   DIR/KVER/vmlinuz, lib/modules/KVER/   linux-image-KVER-unsigned, depmod run
#   DIR/KVER/usr/src/linux-headers-KVER/  linux-headers-KVER, its -common part and
#   DIR/KVER/usr/lib/linux-kbuild-BASE/   linux-kbuild-BASE: the tree modules are built
#                                         against (the Makefile's KDIR); its Makefile and
#                                         absolute links point into DIR/KVER
#   DIR/KVER/lib/modules/KVER/build       -> the headers, for DKMS (the VM mounts
#                                         DIR/KVER/lib/modules/KVER as /lib/modules/KVER)
#   DIR/KVER/build-depends                what the headers need that is not a kernel
#                                         package (gcc-12, pahole, libelf1, ...), in
#                                         Depends syntax: scripts/deps.sh installs it
#
# Each part is unpacked only when it is missing: on a complete tree this returns
# at once. The downloads need apt's package lists (apt-get update).
#
# usage: scripts/unpack-kernel.sh [--check] KVER [DIR]   (DIR: /var/lib/edgeai/vm)
#   --check   exit 0 when DIR/KVER is complete, 1 when something is missing
set -euo pipefail

usage() { sed -n '2,22s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
die() { echo "unpack-kernel: $*" >&2; exit 2; }

check=0
case "${1:-}" in
-h|--help) usage 0 ;;
--check) check=1; shift ;;
-*) echo "unpack-kernel: unknown option $1" >&2; usage 2 >&2 ;;
esac
[ $# -ge 1 ] && [ $# -le 2 ] || usage 2 >&2
kver=$1
dir=${2:-/var/lib/edgeai/vm}
[[ $kver =~ ^6\.12\.[0-9]+\+deb12-amd64$ ]] ||
	die "'$kver' is not a Debian 6.12 amd64 kernel version (like 6.12.118+deb12-amd64)"
base=${kver%-amd64}
kroot=$dir/$kver
headers=usr/src/linux-headers-$kver
common=usr/src/linux-headers-$base-common
kbuild=usr/lib/linux-kbuild-$base
stamp=$kroot/$headers/.edgeai-unpacked

image_ok() { [ -s "$kroot/vmlinuz" ] && [ -s "$kroot/lib/modules/$kver/modules.dep" ]; }
headers_ok() { [ -f "$stamp" ] && [ -s "$kroot/build-depends" ]; }

if [ $check = 1 ]; then
	image_ok && headers_ok
	exit
fi
image_ok && headers_ok && exit 0
[ "$(id -u)" = 0 ] || die "must run as root to write $dir"
mkdir -p "$dir"

tmp=$(mktemp -d "$dir/.unpack.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# download PKG...: the packages' .deb files into $tmp/debs.
download() {
	mkdir -p "$tmp/debs"
	# apt downloads as the user _apt where it may write, as root otherwise (with a warning).
	! id _apt >/dev/null 2>&1 || chown _apt "$tmp/debs"
	(cd "$tmp/debs" && apt-get -q download "$@" >/dev/null) ||
		die "apt-get download $* failed (run apt-get update; is bookworm-security enabled?)"
}

# The image: unpacked beside, then swapped in whole, so a half-done tree never shows.
if ! image_ok; then
	echo "unpack-kernel: linux-image-$kver-unsigned into $kroot"
	download "linux-image-$kver-unsigned"
	mkdir "$tmp/image"
	dpkg-deb -x "$tmp"/debs/linux-image-*.deb "$tmp/image"
	cp "$tmp/image/boot/vmlinuz-$kver" "$tmp/image/vmlinuz"
	depmod -b "$tmp/image" "$kver"
	rm -rf "$kroot"
	mv "$tmp/image" "$kroot"
	rm -rf "$tmp/debs"
fi

# The headers: their links and their Makefile's include are absolute paths under
# /usr; each is pointed at the unpacked copy instead. Absolute, not relative: the VM
# mounts lib/modules/KVER elsewhere, where a relative link would leave the tree.
if ! headers_ok; then
	echo "unpack-kernel: linux-headers-$kver, linux-headers-$base-common," \
		"linux-kbuild-$base into $kroot"
	download "linux-headers-$kver" "linux-headers-$base-common" "linux-kbuild-$base"
	mkdir "$tmp/headers"
	for deb in "$tmp"/debs/*.deb; do
		dpkg-deb -x "$deb" "$tmp/headers"
	done
	sed -i "s|^include /$common/Makefile\$|include $kroot/$common/Makefile|" \
		"$tmp/headers/$headers/Makefile"
	grep -qx "include $kroot/$common/Makefile" "$tmp/headers/$headers/Makefile" ||
		die "$headers/Makefile does not include /$common/Makefile as expected"
	for p in "$headers" "$common" "$kbuild"; do
		[ -d "$tmp/headers/$p" ] || die "the packages hold no /$p"
		rm -rf "$kroot/$p"
		mkdir -p "$(dirname "$kroot/$p")"
		mv "$tmp/headers/$p" "$kroot/$p"
	done
	ln -sfn "$kroot/$headers" "$kroot/lib/modules/$kver/build"
	ln -sfn "$kroot/$common" "$kroot/lib/modules/$kver/source"
	# What the headers depend on, less the kernel's own packages (unpacked here).
	for deb in "$tmp"/debs/*.deb; do
		dpkg-deb -f "$deb" Depends | tr ',' '\n'
	done | sed 's/^ *//; s/ *$//' | grep -v -E '^(linux-(image|headers|kbuild)-|linux-base)' |
		grep -v '^$' | sort -u | paste -s -d, - | sed 's/,/, /g' >"$kroot/build-depends"
	touch "$stamp"
fi
echo "unpack-kernel: $kroot ready (KDIR=$kroot/$headers)"
