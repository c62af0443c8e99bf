"""CHANGELOG.md: one entry per version of the contract, newest first, the newest being info.version."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?\s*$", re.MULTILINE)


def entries() -> list[tuple[str, str | None, str]]:
    """(version, date, body) of each `## [...]` section, in the file's order."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    found = list(HEADING.finditer(text))
    ends = [match.start() for match in found[1:]] + [len(text)]
    return [(m["version"], m["date"], text[m.end() : end].strip()) for m, end in zip(found, ends, strict=True)]


def semver(version: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    assert match, f"{version!r} is not MAJOR.MINOR.PATCH"
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def test_the_newest_released_entry_is_the_contracts_version() -> None:
    contract = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text(encoding="utf-8"))
    released = [version for version, _, _ in entries() if version != "Unreleased"]

    assert released, "CHANGELOG.md has no released version"
    assert released[0] == contract["info"]["version"], (
        f"openapi.yaml says {contract['info']['version']}, CHANGELOG.md's newest entry is {released[0]}: "
        "add the new version's entry (what a client notices) when you bump info.version"
    )


def test_versions_are_dated_newest_first_and_not_empty() -> None:
    listed = entries()
    assert [version for version, _, _ in listed].count("Unreleased") <= 1
    released = [(version, day, body) for version, day, body in listed if version != "Unreleased"]
    for version, day, body in released:
        assert day is not None, f"[{version}] has no date"
        date.fromisoformat(day)
        assert body, f"[{version}] says nothing"
    versions = [semver(version) for version, _, _ in released]
    assert versions == sorted(versions, reverse=True), "versions are not newest first"
    assert len(set(versions)) == len(versions), "a version is listed twice"
    days = [date.fromisoformat(day) for _, day, _ in released if day]
    assert days == sorted(days, reverse=True)
