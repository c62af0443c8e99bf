"""The TypeScript side: type-check the generated client, the TypeScript tests and the example of
docs/clients.md (`make check`), compile them into a folder where Node runs them (the tests), and run a
TypeScript file of the reader's against the generated client (docs/clients.md).

    python scripts/typescript.py check
    python scripts/typescript.py run example.ts

TypeScript (`tsc`) is the one pinned in package-lock.json, with the options of tsconfig.json. Node 20
runs JavaScript only, so the tests compile first: `build()` lays out a scratch folder like the checkout
(generated/typescript and the given sources), links its node_modules to the checkout's (openapi-fetch
is found there) and marks it an ES module package.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TSC = ROOT / "node_modules" / ".bin" / "tsc"
TSCONFIG = ROOT / "tsconfig.json"
CLIENT = ROOT / "generated" / "typescript"
DOC = ROOT / "docs" / "clients.md"
DOC_HEADING = "The TypeScript client"
DOC_EXAMPLE = "example.ts"


class TypeScriptError(Exception):
    """tsc refused the sources (its report is the message)."""


def doc_example(heading: str = DOC_HEADING) -> str:
    """The ```ts block under `## heading` in docs/clients.md."""
    section = DOC.read_text().split(f"## {heading}\n", 1)[-1].split("\n## ", 1)[0]
    match = re.search(r"```ts\n(.*?)```", section, re.S)
    if match is None:
        raise SystemExit(f"typescript: no ```ts example under '## {heading}' in {DOC.relative_to(ROOT)}")
    return match.group(1)


def tsc(*args: str) -> None:
    if not TSC.exists():
        raise SystemExit(f"typescript: {TSC} is missing: `make check` and `make test` install package-lock.json")
    result = subprocess.run([str(TSC), *args], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise TypeScriptError(result.stdout + result.stderr)


def build(folder: Path, sources: dict[str, str], *, emit: bool = True) -> Path:
    """Compile the generated client and `sources` (relative path -> TypeScript) in `folder`; the folder
    of the JavaScript, laid out like the sources (`dist/<relative path>.js`)."""
    shutil.copytree(CLIENT, folder / "generated" / "typescript")
    for relative, text in sources.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    (folder / "package.json").write_text(json.dumps({"private": True, "type": "module"}) + "\n")
    (folder / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    config = {
        "extends": str(TSCONFIG),
        "compilerOptions": {"noEmit": not emit, "outDir": "dist", "rootDir": "."},
        "include": ["generated/typescript/**/*.ts", *sources],
    }
    (folder / "tsconfig.json").write_text(json.dumps(config, indent=2) + "\n")
    tsc("-p", str(folder / "tsconfig.json"))
    return folder / "dist"


def check() -> None:
    """tsc --noEmit over the generated client and the TypeScript tests (tsconfig.json), then the example of
    docs/clients.md as a reader would put it beside generated/typescript."""
    tsc("--noEmit", "-p", str(TSCONFIG))
    with tempfile.TemporaryDirectory(prefix="global-chat-ts-") as scratch:
        build(Path(scratch), {DOC_EXAMPLE: doc_example()}, emit=False)


def node() -> str:
    """Node: the machine's, or the one scripts/ensure_node.sh put in the venv beside this interpreter."""
    found = shutil.which("node", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if found is None:
        raise SystemExit("typescript: node is missing: `make check` installs it (scripts/ensure_node.sh)")
    return found


def run(source: Path) -> int:
    """Compile `source` beside the generated client and run it with Node; Node's exit code."""
    with tempfile.TemporaryDirectory(prefix="global-chat-ts-") as scratch:
        compiled = build(Path(scratch), {source.name: source.read_text()})
        return subprocess.run([node(), str(compiled / source.with_suffix(".js").name)], check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["check", "run"])
    parser.add_argument("file", nargs="?", type=Path, help="run: the TypeScript file to compile and run")
    args = parser.parse_args()
    try:
        if args.command == "run":
            if args.file is None:
                parser.error("run needs the TypeScript file to run")
            return run(args.file)
        check()
    except TypeScriptError as error:
        sys.stderr.write(str(error))
        print("typescript: tsc found errors", file=sys.stderr)
        return 1
    print("typescript: the client, the TypeScript tests and the example of docs/clients.md type-check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
