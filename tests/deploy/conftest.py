"""Deployment tests: real `global-chat serve` processes (tests/support/deployment.py), stopped by PID
when each test ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deployment import Servers, running_servers


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    with running_servers(tmp_path) as started:
        yield started
