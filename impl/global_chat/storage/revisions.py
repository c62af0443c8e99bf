"""The migration the code expects the database to be at, read from the migration scripts without importing
Alembic: the readiness probe compares it with the database's, and a serving worker then never loads Alembic
(about 9 MB of its peak RSS; docs/performance.md). `global-chat migrate` and the tests still run Alembic
itself (storage/migrate.py), and tests/storage/test_revisions.py holds this answer equal to Alembic's.

Each script names its `revision` and its `down_revision` (None, one revision, or several for a merge) as
literals at module level, as Alembic's template writes them; the head is the one revision no other
script names as its down revision.
"""

from __future__ import annotations

import ast
from pathlib import Path

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
_NAMES = ("revision", "down_revision")


def head_revision(versions: Path = VERSIONS) -> str:
    """The one head of the scripts in `versions`; ValueError when there is none or more than one."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted(versions.glob("*.py")):
        values = _literals(script)
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            raise ValueError(f'{script.name}: no `revision = "..."` at module level')
        if isinstance(down, str):
            down = (down,)
        if not (down is None or (isinstance(down, tuple | list) and all(isinstance(each, str) for each in down))):
            raise ValueError(f"{script.name}: `down_revision` is not None, a revision or a tuple of them")
        revisions.add(revision)
        parents.update(down or ())
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise ValueError(f"{versions}: {len(heads)} heads ({', '.join(heads) or 'no script'}), expected one")
    return heads[0]


def _literals(script: Path) -> dict[str, object]:
    """The module-level `revision` and `down_revision` of `script`, with or without a type annotation."""
    found: dict[str, object] = {}
    for node in ast.parse(script.read_text(encoding="utf-8"), filename=str(script)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in _NAMES:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                raise ValueError(f"{script.name}: `{target.id}` is not a literal") from None
    return found
