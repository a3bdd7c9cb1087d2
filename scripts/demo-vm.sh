#!/bin/bash
# scripts/demo-vm.sh — the demo's part inside the VM (scripts/demo.sh boots it
# with tests/vm/run --no-module): edgeai.ko loaded, edgeaid as its executor, a
# cloud (`edgeai serve`) in a second network namespace behind tc netem, the
# privacy policy attached with edgeai-sched, the cloud probed into the
# policy's map, then three requests from separate processes routed by the
# module. Exits non-zero when a step fails; always removes what it started.
#
# Environment: EDGEAI_DEMO_MODEL, EDGEAI_DEMO_CLOUD_MODEL (GGUF files, chosen
# or synthesized by scripts/demo.sh), EDGEAI_DEMO_RTT_MS (netem round trip).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
edgeai=$repo/build/bin/edgeai
sched=$repo/build/bin/edgeai-sched
edgeaid=$repo/build/bin/edgeaid
. tests/net/netns.sh

# The link's round trip, scaled like the compute. Under TCG (no KVM) the
# edge model runs on lavapipe ~40x slower than on this machine's own CPU
# (measured: ~0.4 tokens/s, i.e. ~2.5 s a decode job, against ~16 tokens/s
# on the host), while netem delays packets in real time. The cloud
# (`edgeai serve --cpu`) measures ~1-2 tokens/s. With a real-world 50-100 ms
# round trip the measured figures say the cloud is faster for every request,
# so the short one is offloaded too; at 3500 ms (a ~90 ms link at that
# slowdown) the policy's estimate (local: jobs x the module's measured job
# time; cloud: the probed round trip, ~2 x the link's, + tokens / probed
# throughput) keeps a 2-token request local and sends a 16-token one with a
# long prompt to the cloud. EDGEAI_DEMO_RTT_MS overrides it. The estimate
# counts a prompt as prompt tokens / 8 jobs (none below 8 tokens), while on
# lavapipe under TCG a prompt token costs about a decode job: the short
# request's TTFT shows the local prompt time the policy did not count.
rtt_ms=${EDGEAI_DEMO_RTT_MS:-3500}
short_tokens=2
long_tokens=16
personal_tokens=4
work=$(mktemp -d /tmp/edgeai-demo.XXXXXX)
edgeaid_pid=
attached=
loaded=
step_no=0
rows=()

step() { step_no=$((step_no + 1)); printf '\n== %d. [%3d s] %s\n' "$step_no" "$SECONDS" "$*"; }
# fail WHAT [LOG]: the step that failed, the end of its log, exit 1.
fail() {
	echo "demo: FAILED: $1" >&2
	[ -z "${2:-}" ] || [ ! -s "$2" ] || { echo "--- ${2##*/} (last lines) ---"; tail -n 20 "$2"; } >&2
	exit 1
}
cleanup() {
	[ -z "$attached" ] || "$sched" detach >/dev/null 2>&1
	[ -z "$edgeaid_pid" ] || { kill "$edgeaid_pid" 2>/dev/null; wait "$edgeaid_pid" 2>/dev/null; }
	net_down
	[ -z "$loaded" ] || rmmod edgeai
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# In the edge namespace for the network only: /sys/fs/bpf (the policy's
# pinned map) stays visible, which `ip netns exec` would hide by remounting /sys.
edge() { nsenter --net="/run/netns/$NET_EDGE" "$@"; }

# A job's first run includes llvmpipe compiling its shaders with LLVM, which
# under TCG (emulated) takes longer than the module's default 5 s job timeout.
job_timeout_ms=60000
step "the module: insmod kmod/edgeai.ko job_timeout_ms=$job_timeout_ms, then edgeai info in kmod mode"
for dep in $(modinfo -F depends kmod/edgeai.ko | tr , ' '); do
	modprobe "$dep" || fail "modprobe $dep"
done
insmod kmod/edgeai.ko job_timeout_ms=$job_timeout_ms || fail "insmod kmod/edgeai.ko"
loaded=1
"$edgeai" info --mode kmod >"$work/info" 2>&1 || fail "edgeai info --mode kmod" "$work/info"
grep -E '^(mode|accel device|module ABI|memory limit|job timeout|vulkan device):' "$work/info" |
	sed 's/^/   /'

step "the models"
MODEL=${EDGEAI_DEMO_MODEL:-} CLOUD_MODEL=${EDGEAI_DEMO_CLOUD_MODEL:-} \
	net_models "$edgeai" "$work" || fail "synthesizing the models"
printf '   local: %s (%s)\n   cloud: %s (%s)\n' "$LOCAL" "$(du -h "$LOCAL" | cut -f1)" \
	"$CLOUD" "$(du -h "$CLOUD" | cut -f1)"

step "edgeaid attaches as the module's executor"
"$edgeaid" --idle-ms 600000 2>"$work/edgeaid.log" &
edgeaid_pid=$!
for i in $(seq 100); do
	grep -q '^state: attached' /sys/kernel/debug/accel/*/executor 2>/dev/null && break
	kill -0 "$edgeaid_pid" 2>/dev/null || fail "edgeaid exited" "$work/edgeaid.log"
	sleep 0.2
done
grep -h -E '^(state|pid):' /sys/kernel/debug/accel/*/executor | sed 's/^/   /'

step "warm-up: one local generation through the module, so it has measured job times"
"$edgeai" run --mode kmod -m "$LOCAL" -p "Package: less
Description:" -n 8 >"$work/warm" 2>&1 || fail "edgeai run --mode kmod" "$work/warm"
tail -n 1 "$work/warm" | sed 's/^/   /'

step "the cloud: edgeai serve --cpu in namespace $NET_CLOUD, tc netem: ${rtt_ms} ms round trip"
net_up || fail "creating the network namespaces"
net_serve "$edgeai" "$CLOUD" "$work/serve.log" || fail "edgeai serve" "$work/serve.log"
net_shape "$rtt_ms" 0 || fail "tc netem (sch_netem)"
# Timeouts that a connection of several round trips fits in.
printf '{"endpoints":[{"name":"cloud","base_url":"http://%s:%s/v1","model":"cloud",%s}]}\n' \
	"$NET_CLOUD_IP" "$NET_PORT" \
	'"timeout_ms":300000,"connect_timeout_ms":30000,"retries":1,"backoff_ms":50' >"$work/cloud.json"
echo "   http://$NET_CLOUD_IP:$NET_PORT/v1 serves $(basename "$CLOUD") from namespace $NET_CLOUD"
ip netns exec "$NET_EDGE" tc qdisc show | sed 's/^/   edge side: /'

step "the policy: edgeai-sched attach privacy"
"$sched" attach privacy >"$work/sched" 2>&1 || fail "edgeai-sched attach privacy" "$work/sched"
attached=1
sed 's/^/   /' "$work/sched"

step "the probe: the cloud's round trip and tokens/s into the policy's map"
edge "$edgeai" probe -c "$work/cloud.json" --rounds 3 --cache "$work/probe.json" >"$work/probe" 2>&1 ||
	fail "edgeai probe" "$work/probe"
sed 's/^/   /' "$work/probe"
"$sched" status | grep -E '^(policy|cloud):' | sed 's/^/   /'

# ask NAME TOKENS PROMPT: a routed request from its own process in the edge
# namespace; its text, then a row for the summary.
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$work/json"; }
ask() {
	local name=$1 tokens=$2 prompt=$3
	edge "$edgeai" ask --mode kmod -m "$LOCAL" -c "$work/cloud.json" --cache "$work/probe.json" \
		--policy privacy --json -n "$tokens" -p "$prompt" >"$work/text" 2>"$work/err" ||
		fail "edgeai ask ($name)" "$work/err"
	tail -n 1 "$work/err" >"$work/json"
	[ "$(field tokens)" -gt 0 ] 2>/dev/null || fail "edgeai ask ($name): no tokens" "$work/err"
	printf '   prompt: %s\n' "$(printf '%s' "$prompt" | tr '\n' ' ' | cut -c1-70)"
	printf '   answer: %s\n' "$(tr '\n' ' ' <"$work/text" | cut -c1-70)"
	printf '   decision: %s (%s, policy %s)  ran: %s  TTFT %s ms  %s tokens, %s tok/s\n' \
		"$(field decision)" "$(field reason)" "$(field policy)" "$(field where)" \
		"$(field ttft_ms)" "$(field tokens)" "$(field tokens_per_s)"
	rows+=("$(printf '%-9s %-8s %-14s %-22s %9s %7s' "$name" "$(field decision)" \
		"$(field reason)" "$(field where)" "$(field ttft_ms)" "$(field tokens_per_s)")")
}

step "request 1, short: $short_tokens tokens (a completion)"
ask short "$short_tokens" "Package: vim
Description:"

step "request 2, long: $long_tokens tokens after a long prompt"
ask long "$long_tokens" "Package: git
Description: fast, scalable, distributed revision control system
 Git is popular version control system designed to handle very large
 projects with speed and efficiency; it is used for many high profile
 open source projects, most notably the Linux kernel.
Package: mercurial
Description:"

step "request 3, personal data: an e-mail address, $personal_tokens tokens"
ask personal "$personal_tokens" "Mail jane.doe@example.com about"
[ "$(field where)" = local ] && [ "$(field reason)" = privacy ] ||
	fail "the personal data left the device: ran $(field where), reason $(field reason)"

step "summary (the module's privacy policy decided each request)"
printf '   %-9s %-8s %-14s %-22s %9s %7s\n' request decision reason "ran" "TTFT ms" "tok/s"
printf '   %s\n' "${rows[@]}"
"$sched" status | sed -n '/^decisions/,/^cloud/p' | sed 's/^/   /'
echo "   estimates: local = (prompt tokens / 8 + new tokens) x the module's average job time;"
echo "   cloud = probed round trip + new tokens / probed tokens/s; sensitive data never leaves"
