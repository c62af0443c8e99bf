"""What caches are told about every answer (RFC 9111): Cache-Control and Vary, set in one place.

Every answer of this service depends on who asks: the credential (Authorization, or the web UI's
access_token cookie), the organization it is meant for (X-Org-Id, or the everruns_org cookie), the
Origin (CORS) and, for an error, Accept (ErrorResponse or Problem Details). So:

- a successful GET (a session): `private, no-cache`: the caller's own browser may keep it and must
  revalidate it each time (a conditional GET); a shared cache (a CDN, a corporate proxy) must not
  store it at all. `private` matters most for the cookie-authenticated web UI: RFC 9111 3.5 keeps
  shared caches off answers to requests with Authorization, but not off those with a cookie.
- everything else (writes, errors, probes, metrics, the docs): `no-store`: nothing worth keeping, and
  an error for one caller is not an answer for another.
- Vary names every request field the answer depends on (merged with what the CORS layer already
  says), so that even a cache that ignores `private` keys the answer by the caller.

The policy applies outermost (web/response_head.py: as this middleware, outside CORS, for a request
with Origin; as the head policy of observability's wrapper, `with_policy`, for one without) and sets
Cache-Control only where no layer below has chosen it. One layer
does: the API catalog (discovery/handlers.py), the same for every caller, says `public, max-age=3600` and
`Vary: Origin`. An answer a layer below made `public` is, by that word, nobody's in particular: its Vary
is left as that layer (and the CORS layer) set it, each field named once, rather than keyed by every
caller's credential, which would keep a shared cache from ever serving it twice.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REVALIDATE_PRIVATELY = "private, no-cache"
DO_NOT_STORE = "no-store"
VARY = ("Authorization", "Cookie", "X-Org-Id", "Origin", "Accept")
READS = frozenset({"GET", "HEAD"})
_CACHE_CONTROL, _VARY = b"cache-control", b"vary"


def cache_control(method: str, status: int) -> str:
    """The Cache-Control of an answer with `status` to a request with `method`."""
    return REVALIDATE_PRIVATELY if method in READS and (200 <= status < 300 or status == 304) else DO_NOT_STORE


def merged_vary(existing: str | None, fields: tuple[str, ...] = VARY) -> str:
    """`existing` (e.g. the CORS layer's `Origin`) with every field of `fields`, each named once."""
    names: list[str] = []
    seen: set[str] = set()
    for name in (part.strip() for part in (existing or "").split(",")):
        if name and name.lower() not in seen:
            names.append(name)
            seen.add(name.lower())
    if "*" in seen:
        return "*"
    return ", ".join(names + [name for name in fields if name.lower() not in seen])


def is_public(cache_control: str) -> bool:
    """Whether a Cache-Control value has the `public` directive."""
    lowered = cache_control.lower()
    return "public" in lowered and any(directive.strip() == "public" for directive in lowered.split(","))


@lru_cache(maxsize=64)
def _vary_line(existing: bytes, chosen: bytes | None) -> tuple[bytes, bytes]:
    """The Vary line of an answer whose own Vary values, joined, are `existing` and whose Cache-Control a
    layer below chose as `chosen` (None: this layer chooses). The few such pairs the layers below write
    (none, CORS's `Origin`, the catalog's) are merged once per process, not once per answer."""
    public = chosen is not None and is_public(chosen.decode("latin-1"))
    return (_VARY, merged_vary(existing.decode("latin-1"), () if public else VARY).encode("latin-1"))


_CACHE_CONTROL_LINES = {policy: (_CACHE_CONTROL, policy.encode()) for policy in (REVALIDATE_PRIVATELY, DO_NOT_STORE)}


def with_policy(method: str, status: int, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """An answer's header lines with the policy applied: Cache-Control added unless a layer below chose
    it, every Vary line replaced by one merged line. The raw lines are read once (no header object)."""
    kept, vary, chosen = [], [], None
    for line in headers:
        name = line[0].lower()
        if name == _VARY:
            vary.append(line[1])
            continue
        if name == _CACHE_CONTROL:
            chosen = line[1]
        kept.append(line)
    if chosen is None:
        kept.append(_CACHE_CONTROL_LINES[cache_control(method, status)])
    kept.append(_vary_line(b", ".join(vary), chosen))
    return kept


class CachePolicyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_policy(method, message["status"], message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_policy)
