#!/usr/bin/env bash
# Make sure PostgreSQL's server programs (initdb, pg_ctl, postgres) are installed, for the test suite's own
# throwaway instance (scripts/postgres_instance.py, which runs this when it finds none). Installs Debian's
# `postgresql` package, the same way scripts/ensure_chromium.sh installs Chromium, but creates no cluster:
# the machine gets the binaries, not a server that starts at boot. Does nothing when they are there.
#
#   scripts/ensure_postgresql.sh        # as root, or as a user with passwordless sudo; prints the bin folder
#   FORCE_POSTGRESQL_INSTALL=1 scripts/ensure_postgresql.sh   # run apt-get even when binaries are found
set -euo pipefail

PACKAGES=(postgresql)
# Debian's postgresql-common reads drop-ins here; this one stops the package from creating and starting a
# "main" cluster on port 5432 while it is installed. Removed again afterwards.
DROP_IN_DIR=/etc/postgresql-common/createcluster.d
DROP_IN=$DROP_IN_DIR/zz-global-chat-no-main-cluster.conf

bin_dir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r); do
        if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if [[ ${FORCE_POSTGRESQL_INSTALL:-0} != 1 ]] && bin_dir; then
    exit 0
fi

# shellcheck source=scripts/apt_packages.sh
source "$(dirname "$0")/apt_packages.sh"
apt_privileges ensure-postgresql "no PostgreSQL server programs (initdb, pg_ctl, postgres) found; install them" \
    "as root (apt-get install ${PACKAGES[*]}), or set PG_BIN to their folder, or TEST_POSTGRES_URL to a server"
echo "ensure-postgresql: installing ${PACKAGES[*]} (Debian packages; no cluster is created)" >&2
"${SUDO[@]}" mkdir -p "$DROP_IN_DIR"
echo "create_main_cluster = false" | "${SUDO[@]}" tee "$DROP_IN" >/dev/null
trap '"${SUDO[@]}" rm -f "$DROP_IN"; "${SUDO[@]}" rmdir --ignore-fail-on-non-empty "$DROP_IN_DIR"' EXIT
apt_install "${PACKAGES[@]}"
if ! dir=$(bin_dir); then
    echo "ensure-postgresql: apt-get finished but initdb is still missing under /usr/lib/postgresql" >&2
    exit 1
fi
echo "ensure-postgresql: $("$dir/postgres" --version) in $dir" >&2
echo "$dir"
