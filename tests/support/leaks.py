"""A leaked resource fails the test that leaked it.

An unclosed connection, socket, file or event loop warns (ResourceWarning) from its `__del__`, when the
collector frees it; with `filterwarnings = error` (pyproject.toml) that warning is raised there, and pytest
reports what a `__del__` raises as a PytestUnraisableExceptionWarning of the test phase it happened in. An
object in a reference cycle (an engine, a pool, an app) is freed only by a full collection, which could come
tests later, and outside a test no warning filter applies at all: so a full collection runs as each test's
teardown ends (this plugin's fixture is the first to be set up, so the last to be torn down), and what it frees
is judged in that test's teardown. tests/tooling/test_strict_tests.py proves it with a test that leaks."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collect_what_the_test_left() -> Iterator[None]:
    yield
    gc.collect()


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (the modules, the contract, Hypothesis' strategies) lives
    until the run ends: moved out of the collector's way, so that each test's collection walks only what
    tests made since (a full collection of the whole heap after every test doubled the run's time)."""
    gc.collect()
    gc.freeze()
