"""Credentials, through Connexion's `security_map`: the handlers of the contract's schemes (ApiKeyAuth,
BearerAuth, CookieAuth) read what the request carries and ask the account layer's rules
(accounts/authentication.py), once per request: every scheme's function is the same OneDecision, which our
security layer (web/connexion_extensions.py) calls once with the request's scope.

The decision, in order (the first that fails is the answer):
1. the credential: the Authorization header when it is sent, else the `access_token` cookie (JWTs only) -> 401
2. a request authenticated by the cookie that changes something must come from the web UI
   (web/cross_site.py) -> 403 `forbidden`
3. the organization the caller names (`X-Org-Id`, else the `everruns_org` cookie) must be the
   credential's -> 403 `organization_mismatch` (400 when it is not an organization id)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import AbstractSecurityHandler
from starlette.requests import cookie_parser
from starlette.types import Scope

from global_chat.accounts.authentication import Authenticator, check_organization
from global_chat.errors import DomainError
from global_chat.identity import Identity
from global_chat.web.context import IDENTITY_SCOPE_KEY
from global_chat.web.cross_site import CrossSitePolicy

TokenInfo = dict[str, Any]

ACCESS_TOKEN_COOKIE = "access_token"  # noqa: S105 - the cookie's name, not a secret
"""The web UI's login (the contract's CookieAuth)."""
ORGANIZATION_HEADER = "X-Org-Id"
ORGANIZATION_COOKIE = "everruns_org"
_ORGANIZATION_KEY = ORGANIZATION_HEADER.lower()

CredentialCheck = Callable[[str, Mapping[str, str], Mapping[str, str]], Awaitable[Identity]]
"""(method, headers, cookies) -> the caller, or the DomainError that refuses the request. `headers` is
read by lower-case names (Starlette's Headers, or the dict of `headers_and_cookies`)."""

_DECIDED_HEADERS = {
    name.encode("latin-1"): name for name in ("authorization", "origin", "referer", "content-type", _ORGANIZATION_KEY)
}
"""The header lines the decision reads (the cookies aside), by their ASGI name."""
_COOKIE = b"cookie"


def headers_and_cookies(scope: Scope) -> tuple[dict[str, str], dict[str, str]]:
    """What the decision reads of the request, in one pass over its header lines and without a request
    object: the headers it reads by lower-case name, each the first line of its name (what Starlette's
    `Headers.get` answers: it matches the ASGI names, lower case, as sent), and the cookies of every
    Cookie line, a later one winning (what Starlette's `HTTPConnection.cookies` answers)."""
    headers: dict[str, str] = {}
    cookie_lines: list[bytes] = []
    for raw_name, value in scope["headers"]:
        if raw_name == _COOKIE:
            cookie_lines.append(value)
            continue
        name = _DECIDED_HEADERS.get(raw_name)
        if name is not None and name not in headers:
            headers[name] = value.decode("latin-1")
    cookies: dict[str, str] = {}
    for line in cookie_lines:
        cookies.update(cookie_parser(line.decode("latin-1")))
    return headers, cookies


def credential_check(authenticator: Authenticator, cross_site: CrossSitePolicy) -> CredentialCheck:
    """The one decision of the module's docstring, for the contract's operations and for /mcp (web/mcp.py)."""

    async def decide(method: str, headers: Mapping[str, str], cookies: Mapping[str, str]) -> Identity:
        authentication = await authenticator.authenticate_request(
            headers.get("authorization"), cookies.get(ACCESS_TOKEN_COOKIE)
        )
        if authentication.by_cookie:
            cross_site.check(
                method,
                origin=headers.get("origin"),
                referer=headers.get("referer"),
                content_type=headers.get("content-type"),
            )
        named, selector = headers.get(_ORGANIZATION_KEY), ORGANIZATION_HEADER
        if named is None:
            named, selector = cookies.get(ORGANIZATION_COOKIE), f"The {ORGANIZATION_COOKIE} cookie"
        if named is not None:
            check_organization(authentication.identity, named, selector=selector)
        return authentication.identity

    return decide


class OneDecision:
    """The verification function of every scheme of the contract: the first scheme Connexion asks decides
    for the request (credential_check), the others read the outcome it left in the scope. `from_scope` is
    the same check from the ASGI scope alone, for the security layer that skips Connexion's request
    object and per-scheme loop when every scheme of an operation is this one decision
    (web/connexion_extensions.py, OneDecisionSecurityOperation)."""

    __slots__ = ("decide",)

    def __init__(self, decide: CredentialCheck) -> None:
        self.decide = decide

    async def __call__(self, request: ConnexionRequest) -> TokenInfo:
        return await self.from_scope(request.scope)

    async def from_scope(self, scope: Scope) -> TokenInfo:
        outcome = scope.get(IDENTITY_SCOPE_KEY)
        if outcome is None:  # first of the schemes: decide once for the request
            headers, cookies = headers_and_cookies(scope)  # what Connexion's request would give for them
            try:
                outcome = await self.decide(scope["method"], headers, cookies)
            except DomainError as exc:  # refused, or the key store is unreachable
                outcome = exc
            scope[IDENTITY_SCOPE_KEY] = outcome
        if isinstance(outcome, DomainError):
            raise outcome
        return {"sub": str(outcome.user_id)}


def security_map(authenticator: Authenticator, cross_site: CrossSitePolicy) -> dict[str, type[AbstractSecurityHandler]]:
    """Handler classes for Connexion's `security_map` (by scheme type: the cookie scheme is an `apiKey` one
    too), bound to `authenticator` and the cross-site rule of cookie logins: each scheme's function is the
    same OneDecision."""
    check = OneDecision(credential_check(authenticator, cross_site))

    class ContractSecurityHandler(AbstractSecurityHandler):  # type: ignore[misc]
        def get_fn(self, security_scheme: dict[str, Any], required_scopes: list[str]) -> OneDecision:
            return check

    return {"apiKey": ContractSecurityHandler, "bearer": ContractSecurityHandler}
