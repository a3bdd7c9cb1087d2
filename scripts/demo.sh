#!/bin/bash
# The main job (`make demo`): the whole system in the VM — edgeai.ko loaded,
# edgeaid executing its jobs on Vulkan, `edgeai serve` as the cloud in a
# second network namespace behind tc netem, the privacy policy attached with
# edgeai-sched and fed the probe's figures, and three requests (short, long,
# personal data) routed by the module. scripts/demo-vm.sh is the part that
# runs in the VM. Exits non-zero when a step fails.
#
# MODEL=FILE.gguf (local) and CLOUD_MODEL=FILE.gguf (the cloud's): any GGUF
# files; by default ../shared/models' edge-f16 and cloud-f16, synthesized
# models (the cloud's larger) when that folder is absent.
set -euo pipefail

# model_path VAR: the file VAR names, made absolute (the VM starts in the
# repository, not here); empty when VAR is unset.
model_path() {
	local file=${!1:-}
	[ -n "$file" ] || return 0
	[ -f "$file" ] && [ -r "$file" ] || { echo "demo: $1=$file: no such readable file" >&2; return 1; }
	realpath "$file"
}
local_model=$(model_path MODEL)
cloud_model=$(model_path CLOUD_MODEL)
cd "$(dirname "$0")/.."

start=$SECONDS
# The models are found, or synthesized, here: synthesis under TCG takes minutes.
work=$(mktemp -d /tmp/edgeai-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
. tests/net/netns.sh
MODEL=$local_model CLOUD_MODEL=$cloud_model net_models build/bin/edgeai "$work" ||
	{ echo "demo: synthesizing the models failed" >&2; exit 1; }
export EDGEAI_DEMO_MODEL=$LOCAL EDGEAI_DEMO_CLOUD_MODEL=$CLOUD
echo "== 0. boot the VM (Debian's 6.12 kernel under qemu; several minutes without KVM)"
# The VM's own messages (its kernel log when something fails) go to a file.
vm_log=$(mktemp /tmp/edgeai-demo-vm.XXXXXX.log)
status=0
tests/vm/run --no-module --timeout 1200 scripts/demo-vm.sh 2>"$vm_log" || status=$?
echo
if [ "$status" = 0 ]; then
	rm -f "$vm_log"
	echo "demo: done in $((SECONDS - start)) s"
else
	grep '^vm:' "$vm_log" >&2 || true
	echo "demo: FAILED (status $status) after $((SECONDS - start)) s; the VM's log: $vm_log" >&2
fi
exit "$status"
