#!/bin/bash
# scripts/device-pack.sh - gather what a GPU machine without this project's
# libraries needs to run the engine's binaries: build/bin/edgeai, the Vulkan test
# programs, and every shared library they load beyond glibc and the Vulkan loader
# (json-c, curl and theirs) into DIR (devbin/), with an env.sh that points
# LD_LIBRARY_PATH at them. The loader comes from Debian's packages (.gl/, see
# docs/PERFORMANCE.md). Run `make all tests` first.
#
# usage: scripts/device-pack.sh [DIR]   (DIR: devbin; --help: this text)
set -euo pipefail
case "${1:-}" in
-h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
-*) echo "device-pack.sh: unknown option $1 (--help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
dir=${1:-devbin}
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/lib"
progs="build/bin/edgeai"
for t in test_kernels test_kernels_ops test_engine_vk test_roofline test_q8_0_vk test_trained_pair; do
	[ -x build/tests/host/$t ] && progs="$progs build/tests/host/$t"
done
cp $progs "$dir/bin/"
for p in $progs; do
	ldd "$p" | awk '$3 ~ /^\// { print $3 }'
done | sort -u | grep -v -E '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libvulkan)\.so' |
	while read -r lib; do cp -L "$lib" "$dir/lib/"; done
cat >"$dir/env.sh" <<'ENV'
# source devbin/env.sh on the GPU machine: the libraries beside the binaries
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH=$here/bin:$PATH
ENV
du -sh "$dir"
