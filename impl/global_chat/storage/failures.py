"""What a database error means for the caller, decided in one place: "not now" (the database cannot be
reached or did not answer in time: a 503 with Retry-After), "the settings do not fit the database" (an
undeclared connection pooler: the operator's to fix), or neither (a bug of ours: a 500)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from global_chat.errors import DatabaseMisconfigured

# SQLSTATEs (PostgreSQL, Appendix A) that say "not now" rather than "wrong": asyncpg raises them as
# plain PostgresErrors, which SQLAlchemy wraps as a DBAPIError of no more specific class.
UNAVAILABLE_SQLSTATE_CLASSES = ("08",)  # connection exception: the connection failed or was lost
UNAVAILABLE_SQLSTATES = frozenset(
    {
        "53300",  # too_many_connections
        "57014",  # query_canceled: statement_timeout, or a cancel request
        "57P01",  # admin_shutdown: the server is shutting down (or an administrator ended the session)
        "57P02",  # crash_shutdown: another server process crashed
        "57P03",  # cannot_connect_now: the server is starting up or in recovery
    }
)


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or used right now (as opposed to a wrong
    statement or a bug), so the caller may retry later: the one place that decides it.

    Connection-level errors of the driver (OperationalError, InterfaceError, and the driver's own statement
    timeout, which engine.py raises as an OperationalError), the pool's wait for a connection running out,
    and the server's own "not now" SQLSTATEs, found on the error itself, on the driver error SQLAlchemy
    wraps (`orig`) or on what that was raised from. A bare TimeoutError is not one of them: raised outside
    the driver, it is a bug of ours like any other exception."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    sqlstate = _sqlstate(exc)
    return sqlstate is not None and (sqlstate in UNAVAILABLE_SQLSTATES or sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES)


def _error_chain(exc: BaseException, limit: int | None = None) -> Iterator[BaseException]:
    """`exc`, the driver error SQLAlchemy wraps in it (`orig`), what that was raised from, and so on
    (at most `limit` of them)."""
    error: BaseException | None = exc
    while error is not None and limit != 0:
        yield error
        limit = None if limit is None else limit - 1
        error = getattr(error, "orig", None) or error.__cause__


def _sqlstate(exc: BaseException) -> str | None:
    # the error, SQLAlchemy's `orig`, the driver's own cause: never a long chain
    for error in _error_chain(exc, limit=4):
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str):
            return sqlstate
    return None


UNDECLARED_POOLER = (
    "DATABASE_URL reaches PostgreSQL through a connection pooler such as PgBouncer ({evidence}), and DB_POOLER "
    "does not say so: set DB_POOLER=pgbouncer (see docs/pgbouncer.md), or point DATABASE_URL at PostgreSQL itself"
)
_REFUSED_PARAMETER = re.compile(r"unsupported startup parameter: (\w+)")
# SQLSTATEs that only a pooler produces for us: we never name a prepared statement ourselves, so a named one
# that already exists or no longer exists was left or dropped by a server connection another client had.
POOLER_SQLSTATES = {"42P05": "prepared statement already exists", "26000": "prepared statement does not exist"}


def pooler_misconfiguration(exc: BaseException) -> str | None:
    """What `exc` (or the driver error it wraps) says about an undeclared pooler, for the operator; else None."""
    for error in _error_chain(exc):
        if isinstance(error, DatabaseMisconfigured):
            return error.detail
        sqlstate = getattr(error, "sqlstate", None)
        if sqlstate in POOLER_SQLSTATES:
            return UNDECLARED_POOLER.format(evidence=POOLER_SQLSTATES[sqlstate])
        refused = _REFUSED_PARAMETER.search(str(error))  # PgBouncer's answer to statement_timeout at connect
        if refused:
            return UNDECLARED_POOLER.format(evidence=f"it refused the startup parameter {refused[1]}")
    return None
