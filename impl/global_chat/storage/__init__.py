"""Storage, by job: tables.py (SQLAlchemy 2 Core tables), engine.py (the engines, built once per backend),
database.py (the unit of work: a transaction, or statements outside one), failures.py (what a database error
means: not now, a misconfiguration, or a bug), statements.py (what repositories share) and migrate.py
(Alembic). All SQL lives in the repositories of sessions/ and accounts/."""
