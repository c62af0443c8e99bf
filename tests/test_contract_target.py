"""scripts/contract_target.py's decisions, on their own: which URL is loopback, when writes are allowed,
what the environment must name, and which operations a read-only run keeps. No network: the runs
against a real server are in tests/contract/test_remote_target.py."""

from __future__ import annotations

import pytest
import yaml

from scripts.contract_target import (
    CONTRACT,
    DESTRUCTIVE_METHODS,
    Target,
    TargetError,
    is_loopback,
    schemathesis_command,
    target_from_env,
    writes_allowed,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",  # all of 127.0.0.0/8 is the loopback interface (RFC 1122 3.2.1.3)
        "http://[::1]:8080",
        "http://localhost:8080",
        "https://api.localhost",  # RFC 6761 6.3: *.localhost resolves to loopback
    ],
)
def test_loopback_urls(url: str) -> None:
    assert is_loopback(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://chat.staging.example.com",
        "http://10.0.0.5:8080",
        "http://192.168.1.10",
        "http://0.0.0.0:8080",  # not an address a client connects to as "this machine's loopback"
        "http://[::ffff:10.0.0.1]",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",  # a public name, whatever it resolves to
    ],
)
def test_urls_that_are_not_loopback(url: str) -> None:
    assert not is_loopback(url)


def test_writes_default_to_loopback_only_and_an_explicit_setting_wins() -> None:
    assert writes_allowed("http://127.0.0.1:9", None)
    assert writes_allowed("http://127.0.0.1:9", " ")
    assert not writes_allowed("https://staging.example.com", None)
    assert writes_allowed("https://staging.example.com", "1")
    assert writes_allowed("https://staging.example.com", "true")
    assert not writes_allowed("http://127.0.0.1:9", "0")
    assert not writes_allowed("http://127.0.0.1:9", "False")
    with pytest.raises(TargetError, match="expected 1 or 0"):
        writes_allowed("http://127.0.0.1:9", "maybe")


def test_the_environment_names_one_credential_and_a_throwaway_organization_for_remote_writes() -> None:
    assert target_from_env({}) is None  # no CONTRACT_BASE_URL: make contract starts its own server
    base = {"CONTRACT_BASE_URL": "https://staging.example.com/"}
    with pytest.raises(TargetError, match="exactly one of CONTRACT_API_KEY and CONTRACT_TOKEN"):
        target_from_env(base)
    with pytest.raises(TargetError, match="exactly one"):
        target_from_env({**base, "CONTRACT_API_KEY": "evr_x", "CONTRACT_TOKEN": "eyJ"})
    with pytest.raises(TargetError, match="http:// or https://"):
        target_from_env({"CONTRACT_BASE_URL": "staging.example.com", "CONTRACT_API_KEY": "evr_x"})

    read_only = target_from_env({**base, "CONTRACT_API_KEY": "evr_x"})
    assert read_only == Target("https://staging.example.com", "evr_x", None, writes=False)

    with pytest.raises(TargetError, match="also needs CONTRACT_ORG_ID"):
        target_from_env({**base, "CONTRACT_TOKEN": "eyJ", "CONTRACT_ALLOW_WRITES": "1"})
    writing = target_from_env(
        {**base, "CONTRACT_TOKEN": "eyJ", "CONTRACT_ALLOW_WRITES": "1", "CONTRACT_ORG_ID": "org_1"}
    )
    assert writing == Target("https://staging.example.com", "Bearer eyJ", "org_1", writes=True)
    assert writing.headers == {"Authorization": "Bearer eyJ", "X-Org-Id": "org_1"}


def test_a_read_only_run_leaves_out_every_destructive_method() -> None:
    read_only = schemathesis_command(Target("https://staging.example.com", "evr_x", "org_1", writes=False))
    assert read_only[1:4] == ["run", str(CONTRACT), "--url"]
    assert [read_only[i + 1] for i, arg in enumerate(read_only) if arg == "--exclude-method"] == [
        "PUT",
        "PATCH",
        "DELETE",
    ]
    assert "X-Org-Id: org_1" in read_only

    writing = schemathesis_command(Target("http://127.0.0.1:9", "evr_x", None, writes=True))
    assert "--exclude-method" not in writing and "--header" not in writing


def test_the_operations_a_read_only_run_keeps() -> None:
    """From the contract: a new operation fails this test until someone decides whether a read-only run
    against production may call it (scripts/contract_target.py: the rule)."""
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    kept = {
        operation["operationId"]
        for item in contract["paths"].values()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
        and method.upper() not in DESTRUCTIVE_METHODS
    }
    # the API catalog: a read of a public document, safe against production
    assert kept == {"get_or_create_chat_session", "get_session", "get_api_catalog", "head_api_catalog"}
