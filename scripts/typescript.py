"""The TypeScript side: type-check the generated client, the TypeScript tests and the README's example
(`make check`), and compile them into a folder where Node runs them (the tests).

    python scripts/typescript.py check

TypeScript (`tsc`) is the one pinned in package-lock.json, with the options of tsconfig.json. Node 20
runs JavaScript only, so the tests compile first: `build()` lays out a scratch folder like the checkout
(generated/typescript and the given sources), links its node_modules to the checkout's (openapi-fetch
is found there) and marks it an ES module package.
"""

from __future__ import annotations

import argparse
import json
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
README = ROOT / "README.md"
README_HEADING = "Using from TypeScript"
README_EXAMPLE = "readme-example.ts"


class TypeScriptError(Exception):
    """tsc refused the sources (its report is the message)."""


def readme_example(heading: str = README_HEADING) -> str:
    """The ```ts block under `## heading` in the README."""
    section = README.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```ts\n(.*?)```", section, re.S)
    if match is None:
        raise SystemExit(f"typescript: no ```ts example under '## {heading}' in README.md")
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
    """tsc --noEmit over the generated client and the TypeScript tests (tsconfig.json), then the README's
    example as a reader would put it beside generated/typescript."""
    tsc("--noEmit", "-p", str(TSCONFIG))
    with tempfile.TemporaryDirectory(prefix="global-chat-ts-") as scratch:
        build(Path(scratch), {README_EXAMPLE: readme_example()}, emit=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["check"])
    parser.parse_args()
    try:
        check()
    except TypeScriptError as error:
        sys.stderr.write(str(error))
        print("typescript: tsc found errors", file=sys.stderr)
        return 1
    print("typescript: the client, the TypeScript tests and the README example type-check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
