"""What the repositories share: the dialect's INSERT (with its ON CONFLICT clauses) and frozen values
made from rows."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite

Record = TypeVar("Record")


def record(cls: type[Record], row: Any, **converted: Any) -> Record:
    """The frozen dataclass `cls` from the columns of `row` named like its fields (`converted`
    replaces some of them)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in fields(cls))  # type: ignore[arg-type]
    columns = row._mapping
    return cls(**{name: columns[name] for name in names} | converted)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def insert_statement(dialect: Dialect, table: Table) -> Any:
    """INSERT with this dialect's ON CONFLICT clauses (PostgreSQL's or SQLite's: the same API)."""
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    return insert(table)
