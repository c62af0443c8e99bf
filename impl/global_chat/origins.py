"""Web origins (RFC 6454): `scheme://host[:port]`, written as browsers send them in the `Origin` header
(lower-case scheme and host, no default port), so that a configured origin and a request's compare equal."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
"""A host name (IDNs in their ASCII form, as browsers send them) or an IP address: no wildcard."""


def _origin(parts: SplitResult) -> tuple[str, str] | None:
    """(origin, host) of a split absolute http(s) URL."""
    try:
        port = parts.port
    except ValueError:  # a port out of range or not a number
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # IPv6
        host = f"[{host}]"
    origin = f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"
    return origin, host


def origin_of(url: str) -> str | None:
    """The origin of an absolute http(s) URL; None when it has none (`null`, a relative URL, another scheme)."""
    try:
        found = _origin(urlsplit(url.strip()))
    except ValueError:  # not a URL at all (an unbalanced IPv6 bracket)
        return None
    return found[0] if found else None


def parse_origin(value: str) -> str:
    """`value` as an origin, normalized; ValueError when it is more (a path, a query, credentials) or less
    (a wildcard, no host) than one."""
    parts = urlsplit(value.strip())
    found = _origin(parts)
    exact = parts.path in ("", "/") and not (parts.query or parts.fragment or "@" in parts.netloc)
    if found is None or not exact or not _HOST.fullmatch(found[1]):
        raise ValueError(f"{value!r} is not an origin: write scheme://host[:port] (http or https), nothing more")
    return found[0]
