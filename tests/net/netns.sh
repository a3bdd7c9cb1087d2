# tests/net/netns.sh — sourced (bash): a cloud in a second network namespace.
# Two namespaces joined by a veth pair: "edge" (10.77.0.1) runs our client,
# "cloud" (10.77.0.2) runs `edgeai serve`; tc netem on both ends adds half
# the round trip each way and the loss. Needs root, iproute2, the veth and
# sch_netem modules. Callers set a trap that calls net_down.

NET_EDGE=ea-edge-$$
NET_CLOUD=ea-cloud-$$
NET_CLOUD_IP=10.77.0.2
NET_PORT=8080
NET_SERVER_PID=

# net_up: create the namespaces and the link, no delay yet.
net_up() {
	modprobe -q veth 2>/dev/null
	modprobe -q sch_netem 2>/dev/null
	ip netns add "$NET_EDGE" && ip netns add "$NET_CLOUD" &&
	ip link add ea-e$$ netns "$NET_EDGE" type veth peer name ea-c$$ netns "$NET_CLOUD" &&
	ip -n "$NET_EDGE" addr add 10.77.0.1/24 dev ea-e$$ &&
	ip -n "$NET_CLOUD" addr add "$NET_CLOUD_IP/24" dev ea-c$$ &&
	ip -n "$NET_EDGE" link set ea-e$$ up && ip -n "$NET_CLOUD" link set ea-c$$ up &&
	ip -n "$NET_EDGE" link set lo up && ip -n "$NET_CLOUD" link set lo up
}

# net_shape RTT_MS LOSS_PCT: netem on both ends, RTT_MS/2 each way.
net_shape() {
	local half loss=$2
	half=$(awk -v r="$1" 'BEGIN { printf "%.1fms", r / 2 }')
	ip netns exec "$NET_EDGE" tc qdisc replace dev ea-e$$ root netem delay "$half" loss "$loss%" &&
	ip netns exec "$NET_CLOUD" tc qdisc replace dev ea-c$$ root netem delay "$half" loss "$loss%"
}

# net_serve EDGEAI MODEL LOG: edgeai serve in the cloud namespace, ready in 60 s.
net_serve() {
	local i
	ip netns exec "$NET_CLOUD" "$1" serve -m "$2" --cpu --host "$NET_CLOUD_IP" \
		--port "$NET_PORT" --model-name cloud 2>"$3" &
	NET_SERVER_PID=$!
	for i in $(seq 600); do
		ip netns exec "$NET_EDGE" curl -sf -m 2 "http://$NET_CLOUD_IP:$NET_PORT/v1/models" \
			>/dev/null && return 0
		kill -0 "$NET_SERVER_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# net_config FILE: the cloud endpoint's config for edgeai ask / probe.
net_config() {
	printf '{"endpoints":[{"name":"cloud","base_url":"http://%s:%s/v1","model":"cloud",%s}]}\n' \
		"$NET_CLOUD_IP" "$NET_PORT" \
		'"timeout_ms":30000,"connect_timeout_ms":2000,"retries":1,"backoff_ms":50' >"$1"
}

net_kill_server() {
	[ -z "$NET_SERVER_PID" ] || { kill -9 "$NET_SERVER_PID" 2>/dev/null; wait "$NET_SERVER_PID" 2>/dev/null; }
	NET_SERVER_PID=
}

net_down() {
	net_kill_server
	ip netns del "$NET_EDGE" 2>/dev/null
	ip netns del "$NET_CLOUD" 2>/dev/null
	return 0
}

# net_models DIR: LOCAL and CLOUD, the trained pair in ../shared/models
# ($EDGEAI_MODELS) when there, else synthesized into DIR (cloud 4x larger).
net_models() {
	local edgeai=$1 dir=$2 models=${EDGEAI_MODELS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/models}
	LOCAL=${MODEL:-$models/edge-f16.gguf}
	CLOUD=${CLOUD_MODEL:-$models/cloud-f16.gguf}
	if [ ! -f "$LOCAL" ]; then
		LOCAL=$dir/local.gguf
		"$edgeai" synth --type f16 --ctx 512 -o "$LOCAL" >/dev/null 2>&1 || return 1
	fi
	if [ ! -f "$CLOUD" ]; then
		CLOUD=$dir/cloud.gguf
		"$edgeai" synth --type f16 --layers 4 --dim 512 --heads 8 --kv-heads 4 --ffn 1024 \
			--ctx 512 -o "$CLOUD" >/dev/null 2>&1 || return 1
	fi
}
