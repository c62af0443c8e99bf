"""The head revision read without Alembic (storage/revisions.py) is Alembic's, and serving never loads Alembic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from global_chat.storage.migrate import MIGRATIONS
from global_chat.storage.revisions import VERSIONS, head_revision


def test_the_head_is_alembics() -> None:
    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()


def script(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(f'"""{name}"""\n{body}\n\ndef upgrade() -> None:\n    pass\n', encoding="utf-8")


def test_annotated_chains_and_merges(tmp_path: Path) -> None:
    script(tmp_path, "a", 'revision: str = "a"\ndown_revision: str | None = None')
    script(tmp_path, "b", 'revision = "b"\ndown_revision = "a"')
    script(tmp_path, "c", 'revision = "c"\ndown_revision = "a"')
    with pytest.raises(ValueError, match="2 heads \\(b, c\\)"):
        head_revision(tmp_path)
    script(tmp_path, "d", 'revision = "d"\ndown_revision = ("b", "c")')
    assert head_revision(tmp_path) == "d"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param("", "no `revision", id="no revision"),
        pytest.param("revision = make_one()", "broken.py: `revision` is not a literal", id="not a literal"),
        pytest.param('revision = "x"\ndown_revision = 3', "broken.py: `down_revision` is not None", id="odd parent"),
    ],
)
def test_a_script_it_cannot_read_is_named(tmp_path: Path, body: str, message: str) -> None:
    script(tmp_path, "broken", body)
    with pytest.raises(ValueError, match=message):
        head_revision(tmp_path)


def test_no_scripts_is_no_head(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="0 heads"):
        head_revision(tmp_path)


def test_the_scripts_it_reads_are_the_shipped_ones() -> None:
    assert sorted(path.name for path in VERSIONS.glob("*.py")) == sorted(
        path.name for path in (MIGRATIONS / "versions").glob("*.py")
    )


def test_serving_does_not_load_alembic(tmp_path: Path) -> None:
    """What the RSS saving rests on: building the app (uvicorn's factory) imports no Alembic module."""
    code = (
        "import sys; from global_chat.app import create_app; create_app();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/app.db", "AUTH_MODE": "none"}
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment, cwd=tmp_path
    ).stdout
    assert loaded.strip() == "[]"
