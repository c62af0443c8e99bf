"""The cross-site request check of cookie logins (CSRF).

A browser attaches the `access_token` cookie to every request to this server, including those that a
page of another site makes: a form posted there, or a `fetch(..., {credentials: "include"})`. Such a
request that changes something is refused unless it demonstrably comes from the web UI:

- its `Origin` is one of the UI's origins (browsers send `Origin` with every POST, PATCH, PUT and DELETE,
  and pages cannot forge it), or, without an `Origin`, its `Referer` is on one of them; or
- it has no `Origin` and a `Content-Type` outside the three a form or a plain cross-site request may send
  (`application/json`): a browser sends that cross-site only after a CORS preflight, which this server
  approves only for the UI's origins, and then with an `Origin`. Non-browser clients fall here.

Reading requests (GET) are not refused: CORS keeps their answers from other sites' pages.
The rule takes plain values, so it is tested without HTTP; web/security.py reads them from the request.
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.http import parse_options_header

from global_chat.errors import CrossSiteRequest
from global_chat.origins import origin_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SIMPLE_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
"""The Content-Types a page may send to another site without a CORS preflight (the Fetch standard's
CORS-safelisted request header)."""


class CrossSitePolicy:
    def __init__(self, ui_origins: Iterable[str]) -> None:
        self.ui_origins = frozenset(ui_origins)

    def check(self, method: str, *, origin: str | None, referer: str | None, content_type: str | None) -> None:
        """Raise CrossSiteRequest for a cookie-authenticated request that may come from another site."""
        if method.upper() in SAFE_METHODS or self.allows(origin=origin, referer=referer, content_type=content_type):
            return
        raise CrossSiteRequest

    def allows(self, *, origin: str | None, referer: str | None, content_type: str | None) -> bool:
        if origin is not None:  # `null` (sandboxed frames, file:, privacy redirects) has no origin: refused
            return origin_of(origin) in self.ui_origins
        if referer is not None and origin_of(referer) in self.ui_origins:
            return True
        return content_type is not None and not is_simple_media_type(content_type)


def is_simple_media_type(content_type: str) -> bool:
    media_type, _ = parse_options_header(content_type)
    # an empty or unparsable value is treated as a form's: only a well-formed other type proves a preflight
    return not media_type or media_type.lower() in SIMPLE_MEDIA_TYPES
