#!/usr/bin/env bash
# The README's run command: installs what is missing, then runs the client service with
# the embedded self-hosted cloud and a virtual printer, so a newcomer sees everything work.
# Extra arguments go to `printos start` (e.g. --data-dir DIR, --local-port N).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

cat >&2 <<'TEXT'
Starting printos with its embedded cloud and a virtual printer. Then:
  1. sign up at http://127.0.0.1:8010/signup (the embedded cloud),
  2. in another terminal: npx printos login      (links this client to that account),
  3. upload a G-code file (e.g. examples/spiral-vase.gcode) at http://127.0.0.1:8010
     and watch it print: npx printos status
Ctrl-C stops the service (an active print is cancelled safely).
TEXT
exec node bin/printos.js start --virtual-printer "$@"
