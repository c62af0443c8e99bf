#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for tests/test_swagger_ui.py (Playwright drives /usr/bin/chromium;
# `playwright install` and its browser downloads are never used). Does nothing when it is already there.
#
#   scripts/ensure_chromium.sh          # as root, or as a user with passwordless sudo
set -euo pipefail

CHROMIUM=/usr/bin/chromium
# the browser itself, plus a font family so screenshots show text (the rest of its Recommends are desktop bits)
PACKAGES=(chromium fonts-liberation)

if [[ -x $CHROMIUM ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "ensure-chromium: $CHROMIUM is missing; install it as root: apt-get install ${PACKAGES[*]}" >&2
    exit 1
fi

echo "ensure-chromium: installing ${PACKAGES[*]} (Debian packages)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
if [[ ! -x $CHROMIUM ]]; then
    echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null)" >&2
