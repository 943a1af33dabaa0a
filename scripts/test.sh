#!/usr/bin/env bash
# The one command that runs every check: format, lint (with the layer check),
# type-check and all tests. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run check
