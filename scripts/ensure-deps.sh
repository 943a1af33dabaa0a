#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for printos: apt packages
# (only those missing) and the npm dependencies (npm ci when the lockfile changed).
# Usage: scripts/ensure-deps.sh [--bench]
set -euo pipefail
cd "$(dirname "$0")/.."

# The web tests: Chromium driven by playwright-core, curl and iproute2 inside network
# namespaces, and PAM's headers plus a compiler for authenticate-pam's native build (npm ci
# compiles it, so these come before it).
# systemd: systemd-analyze verify checks the units; gcc + libpam0g-dev build the PAM helper.
packages=(python3 chromium curl iproute2 libpam0g-dev gcc g++ make systemd)
if [ "${1:-}" = "--bench" ]; then
  # printcore (Printrun's sender) is the benchmark's peer; printcore ships its compiled line parser.
  packages+=(printrun-common printcore)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing apt packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp=node_modules/.printos-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

# Compiled JavaScript starts faster than TypeScript through tsx; bin/printos.js uses
# dist/ only while it is newer than every file in src/.
npm run --silent build
