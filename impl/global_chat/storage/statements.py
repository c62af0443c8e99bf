"""What the repositories share: statements built once for each dialect (their INSERTs differ in the ON
CONFLICT clauses) and frozen values made from rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, Generic, TypeVar

from sqlalchemy import Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite

Record = TypeVar("Record")
Statement = TypeVar("Statement")


def record(cls: type[Record], row: Any, **converted: Any) -> Record:
    """The frozen dataclass `cls` from the columns of `row` named like its fields (`converted`
    replaces some of them)."""
    names = field_names(cls)
    columns = row._mapping
    return cls(**{name: columns[name] for name in names} | converted)


def field_names(cls: type) -> tuple[str, ...]:
    """The names of the dataclass `cls`'s fields, in order (looked up once per class)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in fields(cls))
    return names


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}

Insert = Callable[[Table], Any]
"""A dialect's `insert` (PostgreSQL's or SQLite's: the same ON CONFLICT API)."""
_INSERTS: dict[str, Insert] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class PerDialect(Generic[Statement]):
    """A statement built once for each dialect by `build(insert)`, `insert` being that dialect's INSERT.

    A statement built per call costs its construction and its cache key on every call (and one with
    its values inlined, like a list for a JSON column, has no cache key at all: compiled every time);
    built once, with bind parameters, and executed with the values, it is compiled once per engine.
    """

    def __init__(self, build: Callable[[Insert], Statement]) -> None:
        self._statements = {name: build(insert) for name, insert in _INSERTS.items()}

    def __call__(self, dialect: Dialect) -> Statement:
        """The statement for `dialect` (PostgreSQL's for PostgreSQL, SQLite's for anything else)."""
        return self._statements["postgresql" if dialect.name == "postgresql" else "sqlite"]
