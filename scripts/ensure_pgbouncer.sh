#!/usr/bin/env bash
# Make sure Debian's PgBouncer is installed, for the test that runs the service behind it
# (tests/deploy/test_pgbouncer.py) and the benchmark's pgbouncer backend (scripts/pgbouncer_instance.py runs
# this when it finds no pgbouncer). Installs it the way scripts/ensure_chromium.sh installs Chromium, but
# like scripts/ensure_postgresql.sh leaves no server behind: the package's own service is neither started
# by the installation nor enabled at boot; the suite runs its own PgBouncer processes, on free ports.
# Does nothing when `pgbouncer` is already there (PGBOUNCER, PATH or /usr/sbin), and then touches nothing.
#
#   scripts/ensure_pgbouncer.sh         # as root, or as a user with passwordless sudo; prints the program's path
set -euo pipefail

PACKAGES=(pgbouncer)
# invoke-rc.d and deb-systemd-invoke ask this program whether a package may start its service; 101: no.
POLICY=/usr/sbin/policy-rc.d

find_pgbouncer() {
    local candidate
    for candidate in "${PGBOUNCER:-}" "$(command -v pgbouncer 2>/dev/null || true)" /usr/sbin/pgbouncer; do
        if [[ -n $candidate && -x $candidate ]]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if find_pgbouncer; then
    exit 0
fi

# shellcheck source=scripts/apt_packages.sh
source "$(dirname "$0")/apt_packages.sh"
apt_privileges ensure-pgbouncer "pgbouncer is missing; install it as root (apt-get install ${PACKAGES[*]})," \
    "or set PGBOUNCER to the program"
echo "ensure-pgbouncer: installing ${PACKAGES[*]} (Debian package; its service is not started or enabled)" >&2
if [[ ! -e $POLICY ]]; then
    printf '#!/bin/sh\n# global-chat: ensure_pgbouncer.sh, removed when it ends\nexit 101\n' |
        "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY"
    trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi
apt_install "${PACKAGES[@]}"
# Not at boot either (the package enables its service for both init systems).
"${SUDO[@]}" update-rc.d pgbouncer disable >/dev/null 2>&1 || true
if command -v deb-systemd-helper >/dev/null 2>&1; then
    "${SUDO[@]}" deb-systemd-helper disable pgbouncer.service >/dev/null 2>&1 || true
fi
if ! found=$(find_pgbouncer); then
    echo "ensure-pgbouncer: apt-get finished but pgbouncer is still missing" >&2
    exit 1
fi
echo "ensure-pgbouncer: $("$found" --version 2>/dev/null | head -n 1)" >&2
echo "$found"
