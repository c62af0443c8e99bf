"""Running the pinned generator programs, and the generator's progress lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class ToolFailed(Exception):
    """A generator program exited non-zero; its output has been written to stderr."""


def log(message: str) -> None:
    print(f"generate: {message}", file=sys.stderr, flush=True)


def tool(name: str) -> str:
    """Path of a console script installed beside this interpreter (the project's venv)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def run(*cmd: str, cwd: Path | None = None) -> None:
    # RUFF_NO_CACHE: the client generator's ruff hooks would otherwise leave .ruff_cache/ in the output.
    # The venv's programs first on PATH: the client generator's hooks call `ruff` by name.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "RUFF_NO_CACHE": "true", "PATH": path}
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise ToolFailed(f"{Path(cmd[0]).name} failed with exit code {result.returncode}")
