"""The versions requirements.lock pins: what `make install` installs, so what the suite must be running."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"


def locked_version(package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==([^\s\\]+)", LOCK.read_text(), re.MULTILINE | re.IGNORECASE)
    assert match, f"{package} is not pinned in {LOCK.name}"
    return match.group(1)


def assert_installed_as_locked(package: str) -> None:
    """The framework behaviours a module of tests pins were checked on this version: an upgrade (a new
    lock) runs them again on the new one, and a venv that drifted from the lock fails here, naming it."""
    installed, locked = metadata.version(package), locked_version(package)
    assert installed == locked, f"{package} {installed} is installed, requirements.lock pins {locked}: make install"
