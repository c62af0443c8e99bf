# Sourced by scripts/ensure_chromium.sh, ensure_postgresql.sh and ensure_pgbouncer.sh: what installing
# Debian packages takes, once. Not a program of its own.
#
#   apt_privileges NAME HINT... # sets SUDO (empty as root, else `sudo -n`); without either, or without
#                               # apt-get, prints "NAME: HINT (why)" and exits 1
#   apt_install PACKAGE...      # apt-get update + install --no-install-recommends, quietly, as SUDO;
#                               # waits up to 5 min for dpkg's lock when another install holds it

apt_privileges() {
    local name=$1
    shift
    local hint="$*"
    if [[ $(id -u) -eq 0 ]]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        echo "$name: $hint (installing it needs root or passwordless sudo)" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$name: $hint (this machine has no apt-get to install it with)" >&2
        exit 1
    fi
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
    "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null
}
