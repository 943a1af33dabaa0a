#!/usr/bin/env bash
# The README's run command: installs what is missing, starts a virtual printer
# (timed like a real one on a USB-serial adapter), and prints a demo file on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

vp_out=$(mktemp)
npx printos virtual-printer --move-time 2 --baud 250000 --latency 4 >"$vp_out" &
vp_pid=$!
trap 'kill "$vp_pid" 2>/dev/null || true; rm -f "$vp_out"' EXIT

for _ in $(seq 1 100); do
  port=$(head -n 1 "$vp_out" 2>/dev/null || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { echo "the virtual printer did not start" >&2; exit 1; }

echo "virtual printer on $port; printing examples/spiral-vase.gcode (Ctrl-C cancels)"
npx printos print --port "$port" examples/spiral-vase.gcode "$@"
