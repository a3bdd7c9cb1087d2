#!/bin/bash
# tests/bench/e2e.sh - `make bench-kmod-e2e`, inside the VM (tests/vm/run):
# generated tokens/s of one model in direct mode and in kmod mode (through the
# module and edgeaid), alternating, best of EDGEAI_E2E_ROUNDS rounds each; and
# the kernel round trip per token from the module's job stats: over the
# decode steps, the client's wall time minus the device time edgeaid reported
# for their jobs (the change of fdinfo drm-engine-edgeai), per token; the
# median of the rounds. Ends with one JSON line.
# EDGEAI_E2E_MODEL: a GGUF file (default: a synthesized tiny Q8_0 model);
# EDGEAI_E2E_TOKENS: tokens per run (default 16).
set -e
cd "$(dirname "$0")/../.."
client=build/tests/vm/kmod_e2e_client
work=$(mktemp -d /tmp/bench-e2e.XXXXXX)
model=${EDGEAI_E2E_MODEL:-$work/tiny.gguf}
tokens=${EDGEAI_E2E_TOKENS:-16}
rounds=${EDGEAI_E2E_ROUNDS:-2}
edgeaid_pid=
trap '[ -z "$edgeaid_pid" ] || kill $edgeaid_pid; wait; rm -rf "$work"' EXIT

[ -n "${EDGEAI_E2E_MODEL:-}" ] ||
	build/bin/edgeai synth --preset tiny --type q8_0 -o "$model" >/dev/null 2>&1
field() { sed -n "s/^$2:[[:space:]]*//p" "$1" | awk '{print $1}'; }
best() { printf '%s\n' "$@" | sort -g | tail -n 1; }

build/bin/edgeaid --idle-ms 60000 &
edgeaid_pid=$!
args=(--model "$model" --prompt hi --tokens "$tokens")
# Warm-up: shaders compiled and the stream recorded before anything is timed.
$client "${args[@]}" >/dev/null
$client --mode kmod "${args[@]}" >/dev/null
direct=() kmod=() rt=()
for r in $(seq "$rounds"); do
	$client "${args[@]}" >"$work/direct"
	$client --mode kmod "${args[@]}" >"$work/kmod"
	d=$(field "$work/direct" tok_s)
	k=$(field "$work/kmod" tok_s)
	us=$(field "$work/kmod" us_per_token)
	jobs=$(field "$work/kmod" decode_jobs)
	dev_us=$(field "$work/kmod" device_us_per_job)
	r_us=$(field "$work/kmod" rt_us_per_token)
	echo "round $r: direct $d tok/s; kmod $k tok/s ($us us/token, device $dev_us us/job" \
	     "over $jobs jobs, round trip $r_us us)"
	[ "$(grep '^tokens:' "$work/direct")" = "$(grep '^tokens:' "$work/kmod")" ] ||
		echo "warning: kmod tokens differ from direct mode's"
	direct+=("$d") kmod+=("$k") rt+=("$r_us")
done
d=$(best "${direct[@]}")
k=$(best "${kmod[@]}")
r=$(printf '%s\n' "${rt[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "model $(basename "$model"), $tokens tokens a run; tok/s: best of $rounds rounds;" \
     "round trip: median of the rounds"
printf '{"bench":"kmod-e2e","kmod_tg_tok_s":%s,"direct_tg_tok_s":%s,"ratio":%s,"rt_per_token_us":%s}\n' \
	"$k" "$d" "$(awk -v k="$k" -v d="$d" 'BEGIN { printf "%.3f", k / d }')" "$r"
