#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, skipping what is already there.
set -euo pipefail
needed=()
command -v espeak-ng >/dev/null 2>&1 || needed+=(espeak-ng)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || needed+=(chromium)
[ ${#needed[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${needed[*]} (install them with your package manager)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${needed[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
