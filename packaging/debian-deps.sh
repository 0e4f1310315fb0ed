#!/usr/bin/env bash
# Install the Debian packages SaddleLab needs that a fresh machine may lack.
#   bash packaging/debian-deps.sh          what the window needs (Qt's xcb libraries, OpenGL)
#   bash packaging/debian-deps.sh --test   also a virtual display (Xvfb) and Mesa for headless tests
# Installs only what is missing; uses sudo when not root. Does nothing off Debian/Ubuntu.
set -euo pipefail
command -v dpkg >/dev/null 2>&1 || { echo "debian-deps: not a Debian system; install Qt 6's runtime libraries yourself" >&2; exit 0; }
want=(python3-venv python3-pip libgl1 libegl1 libglx-mesa0 libgl1-mesa-dri libxkbcommon0 libxkbcommon-x11-0
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
      libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libfontconfig1 libdbus-1-3 fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  want+=(xvfb xauth)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# python3-venv is only needed when this python3 lacks a working venv/ensurepip.
if python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}"); missing=("${missing[@]/python3-pip}")
fi
read -r -a missing <<<"${missing[*]:-}"
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "debian-deps: installing ${missing[*]}" >&2
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
