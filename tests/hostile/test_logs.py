"""The log tells no secrets and no lies: database errors without their parameters, no second access line
(uvicorn's, with the query string) beside ours, warnings as JSON lines. The access line of a real
server is checked in tests/hostile/test_server_bounds.py."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from global_chat.logs import configure_logging
from global_chat.storage.database import Database
from global_chat.storage.tables import ORGANIZATIONS

pytestmark = pytest.mark.anyio
SECRET = "secret-title-" + uuid.uuid4().hex


async def test_a_database_error_names_the_statement_but_not_its_values(database: Database) -> None:
    row = {"id": uuid.uuid4(), "name": SECRET, "created_at": datetime.now(UTC)}
    async with database.transaction() as tx:
        await tx.execute(insert(ORGANIZATIONS).values(**row))

    with pytest.raises(IntegrityError) as raised:
        async with database.transaction() as tx:
            await tx.execute(insert(ORGANIZATIONS).values(**row))  # the same id again

    text = str(raised.value)
    assert "INSERT INTO organizations" in text
    assert SECRET not in text and str(row["id"]) not in text


def test_uvicorn_writes_no_access_line_of_its_own() -> None:
    """uvicorn's protocols write their access line (query string included) when its logger has a handler
    anywhere up the tree; ours (web/observability.py) is the only one."""
    configure_logging("INFO")

    assert not logging.getLogger("uvicorn.access").hasHandlers()
    assert logging.getLogger("uvicorn.error").hasHandlers()  # its warnings and errors still reach the log


def test_warnings_are_json_log_lines() -> None:
    script = "import warnings; from global_chat.logs import configure_logging; "
    script += "configure_logging('INFO'); warnings.warn('a library complains', UserWarning)"

    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", script], capture_output=True, text=True, timeout=60, check=True
    )

    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    event = json.loads(line)
    assert event["logger"] == "py.warnings" and event["level"] == "warning"
    assert "a library complains" in event["event"]
