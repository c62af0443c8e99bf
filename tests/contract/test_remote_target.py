"""`make contract` against a `global-chat serve` started separately (CONTRACT_BASE_URL), both ways:
read-only and with writes; and the clear errors before any test runs. Only 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.ports import free_port
from tests.fixtures.server import global_chat, serving_chat

ROOT = Path(__file__).resolve().parents[2]
JUNIT = ROOT / "reports" / "contract-junit.xml"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """(base URL, API key, organization id) of a server this module starts, as a team's staging would be."""
    folder = tmp_path_factory.mktemp("remote-target")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder}/staging.db",
        "AUTH_MODE": "keys",
        "JWT_SECRET": uuid.uuid4().hex * 2,
        "RESPONSE_VALIDATION": "true",
        "API_KEY_CACHE_SECONDS": "0",
        "CHAT_CREATE_RATE_LIMIT": "0",
        "CHAT_CREATE_RATE_LIMIT_PER_USER": "0",
        "LOG_LEVEL": "WARNING",
    }
    global_chat(env, "migrate")
    org = global_chat(env, "create-org", "throwaway")
    key = global_chat(env, "create-api-key", "--org", org, "--user", str(uuid.uuid4()))
    with serving_chat(env) as chat_url:
        yield chat_url.removesuffix("/v1/sessions/chat"), key, org


def make_contract(**env: str) -> subprocess.CompletedProcess[str]:
    """scripts/contract.py (what `make contract` runs) with the CONTRACT_* environment only."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CONTRACT_", "DATABASE_URL", "AUTH_MODE"))}
    return subprocess.run(
        [sys.executable, ROOT / "scripts" / "contract.py"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def methods_in_junit() -> set[str]:
    """The HTTP methods of the operations in the JUnit report (test case names: "POST /v1/sessions/chat";
    the stateful phase's case is named "Stateful tests")."""
    cases = ET.parse(JUNIT).getroot().iter("testcase")
    names = {case.get("name", "").split(" ", 1)[0] for case in cases}
    return names & {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"}


def test_read_only_run_tests_only_what_cannot_destroy_data(deployment: tuple[str, str, str]) -> None:
    base, key, org = deployment
    run = make_contract(CONTRACT_BASE_URL=base, CONTRACT_API_KEY=key, CONTRACT_ORG_ID=org, CONTRACT_ALLOW_WRITES="0")

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"target {base}: read-only (no PUT, PATCH, DELETE), organization {org}" in run.stderr
    assert "zero failures" in run.stderr
    assert methods_in_junit() == {"GET", "HEAD", "POST"}  # HEAD: the API catalog's


def test_run_with_writes_tests_every_operation(deployment: tuple[str, str, str]) -> None:
    base, key, org = deployment
    run = make_contract(CONTRACT_BASE_URL=base, CONTRACT_API_KEY=key, CONTRACT_ORG_ID=org, CONTRACT_ALLOW_WRITES="1")

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"target {base}: every operation" in run.stderr
    assert methods_in_junit() == {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"}


def test_refused_credentials_stop_the_run_before_any_test(deployment: tuple[str, str, str]) -> None:
    base, key, _ = deployment
    wrong_key = make_contract(CONTRACT_BASE_URL=base, CONTRACT_API_KEY="evr_not_a_key")
    assert wrong_key.returncode == 2
    assert "refused the credentials (401)" in wrong_key.stderr
    assert "Schemathesis" not in wrong_key.stdout + wrong_key.stderr.replace("running Schemathesis", "")

    other_org = make_contract(CONTRACT_BASE_URL=base, CONTRACT_API_KEY=key, CONTRACT_ORG_ID=f"org_{uuid.uuid4().hex}")
    assert other_org.returncode == 2
    assert "refused the credentials (403)" in other_org.stderr
    assert "running Schemathesis" not in other_org.stderr


def test_a_url_that_does_not_answer_stops_the_run_before_any_test() -> None:
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    run = make_contract(CONTRACT_BASE_URL=base, CONTRACT_API_KEY="evr_x")

    assert run.returncode == 2
    assert f"error: {base} does not answer" in run.stderr
    assert "running Schemathesis" not in run.stderr
