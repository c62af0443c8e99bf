"""`make contract` against a deployment you name (scripts/contract.py hands over here when
CONTRACT_BASE_URL is set): the same Schemathesis run, checks and JUnit report as against the server
`make contract` starts itself, pointed at a staging or production URL.

    CONTRACT_BASE_URL      the deployment, e.g. https://chat.staging.example.com (required for this mode)
    CONTRACT_API_KEY       an API key (evr_...), sent as `Authorization: <key>` as the Everruns SDK does
    CONTRACT_TOKEN         or a JWT, sent as `Authorization: Bearer <token>` (one of the two)
    CONTRACT_ORG_ID        sent as X-Org-Id on every request: the server answers 403 to a credential of
                           another organization, so the run cannot act anywhere else
    CONTRACT_ALLOW_WRITES  1: every operation; 0: only the ones that cannot destroy data; unset: 1 for a
                           loopback URL (127.0.0.0/8, ::1, localhost), 0 for any other

Writes against a non-loopback URL also need CONTRACT_ORG_ID: name the throwaway organization the run may
create, change and delete sessions in. The schema is the repository's openapi/openapi.yaml (what this
checkout promises), not what the deployment serves. Before Schemathesis starts, one request checks that
the URL answers and the credentials are accepted: any failure is one clear line and exit status 2.

Which operations cannot destroy data is decided by method: PUT, PATCH and DELETE replace or remove the
state of what they name (RFC 9110 9.3); GET, HEAD and OPTIONS are safe; the contract's one POST,
`get_or_create_chat_session`, creates the caller's session once and never changes an existing one.
tests/contract/test_remote_target.py lists the operations this keeps, from the contract, so a new
operation makes someone look at this rule again.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONTRACT = ROOT / "openapi" / "openapi.yaml"
DESTRUCTIVE_METHODS = ("PUT", "PATCH", "DELETE")
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
TIMEOUT = 10.0


class TargetError(Exception):
    """The target is misconfigured, does not answer, or refuses the credentials: said before any test runs."""


@dataclass(frozen=True)
class Target:
    base_url: str
    authorization: str
    org_id: str | None
    writes: bool

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Authorization": self.authorization}
        if self.org_id:
            headers["X-Org-Id"] = self.org_id
        return headers


def is_loopback(url: str) -> bool:
    """Whether `url`'s host is this machine's loopback interface: `localhost` (RFC 6761 6.3), 127.0.0.0/8
    or ::1. Any other name or address, this machine's own network addresses included, is a deployment
    other hosts can reach, so it is not."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def writes_allowed(url: str, setting: str | None) -> bool:
    """CONTRACT_ALLOW_WRITES as a decision: explicit 1/0 wins; unset means writes only on loopback."""
    if setting is None or not setting.strip():
        return is_loopback(url)
    value = setting.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise TargetError(f"CONTRACT_ALLOW_WRITES={setting!r}: expected 1 or 0")


def target_from_env(environ: Mapping[str, str]) -> Target | None:
    """The target the environment names; None when CONTRACT_BASE_URL is unset (the self-started server)."""
    base_url = environ.get("CONTRACT_BASE_URL", "").strip().rstrip("/")
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"CONTRACT_BASE_URL={base_url!r}: expected an http:// or https:// URL")
    key, token = environ.get("CONTRACT_API_KEY", "").strip(), environ.get("CONTRACT_TOKEN", "").strip()
    if bool(key) == bool(token):
        raise TargetError("set exactly one of CONTRACT_API_KEY and CONTRACT_TOKEN (the credential of the run)")
    org_id = environ.get("CONTRACT_ORG_ID", "").strip() or None
    writes = writes_allowed(base_url, environ.get("CONTRACT_ALLOW_WRITES"))
    if writes and not is_loopback(base_url) and org_id is None:
        raise TargetError(
            "CONTRACT_ALLOW_WRITES=1 against a deployment that is not loopback also needs CONTRACT_ORG_ID: the "
            "throwaway organization the run may create, change and delete sessions in"
        )
    return Target(base_url, key or f"Bearer {token}", org_id, writes)


def preflight(target: Target, client: httpx.Client | None = None) -> None:
    """One request that changes nothing (GET of a session that does not exist): the URL answers, and the
    credentials are accepted (404) rather than refused (401, 403)."""
    url = f"{target.base_url}/v1/sessions/session_{uuid.uuid4().hex}"
    try:
        with client or httpx.Client(timeout=TIMEOUT) as http:
            response = http.get(url, headers=target.headers)
    except httpx.HTTPError as exc:
        raise TargetError(f"{target.base_url} does not answer: {exc or type(exc).__name__}") from exc
    if response.status_code in (401, 403):
        raise TargetError(f"{target.base_url} refused the credentials ({response.status_code}): {error_text(response)}")
    if response.status_code != 404:
        raise TargetError(
            f"{target.base_url} is not this API, or is unwell: GET {url} answered {response.status_code}, "
            "expected 404 (no such session)"
        )


def error_text(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", response.text[:200]))
    except ValueError:
        return response.text[:200]


def schemathesis_command(target: Target) -> list[str]:
    """The Schemathesis CLI run of `make contract` (options in schemathesis.toml), against the target."""
    command = [str(BIN / "schemathesis"), "run", str(CONTRACT), "--url", target.base_url]
    if target.org_id:
        command += ["--header", f"X-Org-Id: {target.org_id}"]
    if not target.writes:
        for method in DESTRUCTIVE_METHODS:
            command += ["--exclude-method", method]
    return command


def log(message: str) -> None:
    print(f"contract: {message}", file=sys.stderr, flush=True)


def run_against(target: Target) -> int:
    """`make contract` against the target: exit status 2 before any test on a preflight failure, else
    Schemathesis' own."""
    mode = "every operation" if target.writes else f"read-only (no {', '.join(DESTRUCTIVE_METHODS)})"
    log(f"target {target.base_url}: {mode}" + (f", organization {target.org_id}" if target.org_id else ""))
    preflight(target)
    log("the target answers and accepts the credentials; running Schemathesis (options: schemathesis.toml)")
    (ROOT / "reports").mkdir(exist_ok=True)
    # schemathesis.toml puts GLOBAL_CHAT_API_KEY in the Authorization header (ApiKeyAuth)
    env = {**os.environ, "GLOBAL_CHAT_API_KEY": target.authorization}
    result = subprocess.run(schemathesis_command(target), env=env, cwd=ROOT, timeout=900, check=False)
    verdict = "zero failures" if result.returncode == 0 else f"failures (exit {result.returncode})"
    log(f"{verdict} against {target.base_url}; JUnit report: reports/contract-junit.xml")
    return result.returncode


def main() -> int | None:
    """scripts/contract.py's hand-over: None when no target is named (it starts its own server)."""
    try:
        target = target_from_env(os.environ)
        if target is None:
            return None
        return run_against(target)
    except TargetError as exc:
        log(f"error: {exc}")
        return 2
