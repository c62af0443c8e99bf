"""What the README and docs/ name is true: every setting is in docs/configuration.md's table with the code's
default and every row of it is a setting; every `make` target they name is the Makefile's; every relative
link leads to a file of the checkout, and every #anchor to a heading of it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from global_chat.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CONFIGURATION = ROOT / "docs" / "configuration.md"
MAKEFILE_TARGET = re.compile(r"^([a-z][a-z-]*):", re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def prose(path: Path) -> str:
    """The text outside fenced blocks (code may show links and commands of other projects)."""
    return re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(title) for title in re.findall(r"^#+ (.*)$", prose(path), re.M)}


def documented_settings() -> dict[str, str]:
    """The configuration table: VARIABLE -> its default column."""
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]*) \|", CONFIGURATION.read_text(), re.M)
    return {name: default.strip() for name, default in rows}


def written(default: Any) -> str:
    """A default as the table writes it."""
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float) and default.is_integer():
        return f"`{int(default)}`"
    return f"`{getattr(default, 'value', default)}`"


def test_every_setting_is_in_the_configuration_table_and_nothing_else() -> None:
    fields = {name.upper() for name in Settings.model_fields}

    assert sorted(fields - set(documented_settings())) == [], "settings missing from docs/configuration.md"
    assert sorted(set(documented_settings()) - fields) == [], "rows of docs/configuration.md that are no setting"


def test_the_configuration_table_gives_the_codes_defaults() -> None:
    """A default written as a value (`…`) is the code's; the others say in words what the code computes."""
    wrong = {
        name: (default, written(Settings.model_fields[name.lower()].default))
        for name, default in documented_settings().items()
        if default.startswith("`") and default != written(Settings.model_fields[name.lower()].default)
    }

    assert wrong == {}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_make_target_named_is_the_makefiles(document: Path) -> None:
    targets = set(MAKEFILE_TARGET.findall((ROOT / "Makefile").read_text()))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", document.read_text()))

    assert sorted(named - targets) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_somewhere(document: Path) -> None:
    broken = []
    for target in LINK.findall(prose(document)):
        if re.match(r"[a-z]+:", target):  # https:, mailto: ...: not ours to check offline
            continue
        path, _, fragment = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists() or (fragment and linked.suffix == ".md" and fragment not in anchors(linked)):
            broken.append(target)

    assert broken == []


def test_every_document_is_reachable_from_the_readme() -> None:
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in LINK.findall(prose(ROOT / "README.md"))}

    assert [path.name for path in DOCUMENTS[1:] if path not in linked] == []
