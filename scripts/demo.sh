#!/bin/bash
# The main job, for now: the module in the VM answering `edgeai info` in kmod mode,
# then the Q8_0 dequantization shader on this machine's Vulkan device in direct mode.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== 1. In the VM: load edgeai.ko, open /dev/accel/accel0, ask the module"
tests/vm/run sh -c 'ls -l /dev/accel/ && build/bin/edgeai info --mode kmod' | grep -v '^\['

echo
echo "== 2. On this machine, direct mode: Q8_0 dequantization on Vulkan vs the CPU reference"
build/bin/edgeai info --mode direct
build/bin/edgeai check-q8 --mode direct
