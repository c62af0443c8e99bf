"""Storage: SQLAlchemy 2 tables, the async engine and the unit of work. All SQL lives in repositories."""
