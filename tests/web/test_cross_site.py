"""The cross-site rule of cookie logins (web/cross_site.py), on plain values: which requests a page of
another site could have made with the user's cookie."""

from __future__ import annotations

import pytest

from global_chat.errors import CrossSiteRequest
from global_chat.web.cross_site import CrossSitePolicy

UI = "https://app.example.com"
POLICY = CrossSitePolicy([UI, "http://localhost:3000"])


@pytest.mark.parametrize(
    ("origin", "referer", "content_type"),
    [
        pytest.param(UI, None, "application/json", id="the ui"),
        pytest.param(UI, None, "text/plain", id="the ui, any content type"),
        pytest.param("http://localhost:3000", None, None, id="a second ui origin"),
        pytest.param("HTTPS://APP.EXAMPLE.COM:443", None, None, id="the ui, written otherwise"),
        pytest.param(None, UI + "/chat?x=1", None, id="no origin, the ui's referer"),
        pytest.param(None, None, "application/json", id="no origin, json"),
        pytest.param(None, None, "Application/JSON; charset=utf-8", id="no origin, json with a charset"),
        pytest.param(None, "https://evil.example/", "application/json", id="no origin, json, any referer"),
    ],
)
def test_requests_from_the_ui_or_that_needed_a_preflight_pass(
    origin: str | None, referer: str | None, content_type: str | None
) -> None:
    POLICY.check("POST", origin=origin, referer=referer, content_type=content_type)


@pytest.mark.parametrize(
    ("origin", "referer", "content_type"),
    [
        pytest.param("https://evil.example", None, "application/json", id="another origin"),
        pytest.param("https://app.example.com.evil.example", None, None, id="a lookalike"),
        pytest.param("http://app.example.com", None, None, id="the ui's host over http"),
        pytest.param("https://app.example.com:8443", None, None, id="the ui's host on another port"),
        pytest.param("null", None, "application/json", id="an opaque origin"),
        pytest.param("https://evil.example", UI, "application/json", id="a ui referer does not beat the origin"),
        pytest.param(None, None, None, id="nothing at all"),
        pytest.param(None, None, "text/plain", id="a simple request"),
        pytest.param(None, None, "application/x-www-form-urlencoded", id="a form"),
        pytest.param(None, None, "multipart/form-data; boundary=x", id="a multipart form"),
        pytest.param(None, None, "", id="an empty content type"),
        pytest.param(None, "https://evil.example/page", None, id="another site's referer"),
        pytest.param(None, "not a url", "text/plain", id="a broken referer"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE", "post"])
def test_requests_another_site_could_make_are_refused(
    method: str, origin: str | None, referer: str | None, content_type: str | None
) -> None:
    with pytest.raises(CrossSiteRequest):
        POLICY.check(method, origin=origin, referer=referer, content_type=content_type)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reading_is_never_refused(method: str) -> None:
    POLICY.check(method, origin="https://evil.example", referer=None, content_type=None)
