#!/usr/bin/env bash
# Install the named Debian packages if any is missing: one `apt-get update`, then one install.
# Usage: scripts/apt-ensure.sh postgresql chromium gettext
set -euo pipefail

missing=()
for pkg in "$@"; do
    dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
    (($# > 0)) && echo "Debian packages present: $*"
    exit 0
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || { echo "apt-ensure: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
