#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for tests/web/test_swagger_ui.py (Playwright drives /usr/bin/chromium;
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

# shellcheck source=scripts/apt_packages.sh
source "$(dirname "$0")/apt_packages.sh"
apt_privileges ensure-chromium "$CHROMIUM is missing; install it as root: apt-get install ${PACKAGES[*]}"
echo "ensure-chromium: installing ${PACKAGES[*]} (Debian packages)" >&2
apt_install "${PACKAGES[@]}"
if [[ ! -x $CHROMIUM ]]; then
    echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null)" >&2
