"""Helpers shared by tests (plain modules; fixtures live in tests/fixtures and conftest files)."""
