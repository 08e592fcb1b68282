#!/usr/bin/env bash
# Installs the system packages the test suite needs (espeak-ng for speech clips, Chromaprint's
# fpcalc for sound fingerprints, Chromium for
# the browser tests, wallpaper packages whose photographs make the silent labeled clips of
# tagging/photo_set.py), skipping what is already there: apt-get on Debian, Homebrew on macOS.
# With --runtime, only what the running product needs (fpcalc): `make run` uses that.
set -euo pipefail
needed=()
# Chromaprint's fpcalc: the sound library's audio fingerprints (sounds/fingerprint.py).
if ! command -v fpcalc >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then needed+=(libchromaprint-tools); else needed+=(chromaprint); fi
fi
runtime_only=0
[ "${1:-}" = "--runtime" ] && runtime_only=1
[ "$runtime_only" -eq 1 ] || command -v espeak-ng >/dev/null 2>&1 || needed+=(espeak-ng)
have_chromium() {
  [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ] && return 0
  [ -x /usr/bin/chromium ] || [ -x /Applications/Chromium.app/Contents/MacOS/Chromium ]
}
[ "$runtime_only" -eq 1 ] || have_chromium || needed+=(chromium)
# Photographs: one file per package says whether it is installed (Debian only).
if [ "$runtime_only" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  [ -f /usr/share/palapeli/collection/european-honey-bee.jpg ] || needed+=(palapeli-data)
  [ -f /usr/share/backgrounds/mate/nature/LadyBird.jpg ] || needed+=(mate-backgrounds)
  [ -f /usr/share/backgrounds/Dragonfly_by_Bolly.jpg ] || needed+=(lomiri-wallpapers-16.04)
  [ -f /usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg ] || needed+=(lomiri-wallpapers-20.04)
  [ -f /usr/share/wallpapers/Path/contents/images/1440x900.jpg ] || needed+=(plasma-workspace-wallpapers)
fi
[ ${#needed[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${needed[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
elif command -v brew >/dev/null 2>&1; then
  echo "installing with Homebrew: ${needed[*]}"
  for package in "${needed[@]}"; do
    if [ "$package" = chromium ]; then
      brew install --cask --no-quarantine chromium
    else
      brew install "$package"
    fi
  done
else
  echo "missing system packages: ${needed[*]} (no apt-get or Homebrew found; install them, or set CHROMIUM_PATH)" >&2
  exit 1
fi
