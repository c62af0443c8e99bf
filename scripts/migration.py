"""Write the next Alembic migration from what storage/tables.py has and the migrations do not.

    make migration NAME="add agents"

Migrates a scratch SQLite database to the head revision, then Alembic's autogenerate compares it with
the tables and writes impl/global_chat/migrations/versions/<next number>_<name>.py. Review it before
committing (autogenerate does not see renames, and server defaults differ between SQLite and
PostgreSQL); tests/storage/test_migrations.py then holds the two equal on both stores. When there is
nothing to write, it says so and writes nothing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file (python scripts/migration.py) rather than a module
    sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from alembic.operations.ops import MigrationScript  # noqa: E402

from global_chat.settings import Settings  # noqa: E402
from global_chat.storage.migrate import alembic_config, upgrade  # noqa: E402
from global_chat.storage.revisions import head_revision  # noqa: E402


def main(name: str) -> int:
    if not name.strip():
        print("migration: give it a name: make migration NAME='what it changes'", file=sys.stderr)
        return 2
    written: list[str] = []

    def keep_only_changes(context: Any, revision: Any, directives: list[MigrationScript]) -> None:
        if directives[0].upgrade_ops is None or directives[0].upgrade_ops.is_empty():
            directives[:] = []
        else:
            written.append(str(directives[0].rev_id))

    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{scratch}/migration.db")
        upgrade(settings)
        config = alembic_config(settings)
        config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
        command.revision(
            config,
            message=name.strip(),
            autogenerate=True,
            rev_id=f"{int(head_revision()) + 1:04d}",
            process_revision_directives=keep_only_changes,
        )
    if not written:
        print("migration: the tables and the migrations agree; nothing written")
    return 0


if __name__ == "__main__":
    sys.exit(main(" ".join(sys.argv[1:])))
