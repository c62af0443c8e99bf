"""The API catalog (RFC 9727) at `/.well-known/api-catalog`: a linkset (RFC 9264, application/linkset+json)
naming what this service offers, for a client that knows only its host.

The catalog's own link context (anchored at the catalog) lists the two APIs as `item`s (RFC 9727 3.1):

- the REST API, anchored at its root (`/v1`, where its contract is served): `service-desc` the contract
  (`/v1/openapi.json`, `/v1/openapi.yaml`), `service-doc` the Swagger UI (`/v1/ui/`), `status` the readiness
  probe (`/readyz`: whether this instance can serve now, its database included): RFC 8631's relations,
  as RFC 9727's appendix uses them;
- the MCP endpoint (`/mcp`): an `item` with a title and nothing more. No registered relation names "an MCP
  server", and the endpoint describes itself in its own protocol (`tools/list`); no `type`, since it has no
  representation to GET (it answers POSTed JSON-RPC).

Liveness (`/healthz`) and the metrics (`/metrics`) are operators' endpoints, not the API's: not listed.

Every URL is absolute, built from API_BASE_URL as self_url is (sessions/links.py), never from the request's
Host, so it is right behind a proxy and cannot be steered by a client. The paths are this service's own
constants (the docs' routes, the probes, /mcp) and the contract's (the catalog's own path), not repeated.

The catalog is built once per process; it is the same for every caller and changes only with the
deployment, so it is `public, max-age=3600` (a shared cache may keep it an hour) with a strong ETag of its
bytes for revalidation, and varies only by Origin (the CORS layer's answer). The operations declare no
security: the handlers (discovery/handlers.py) neither need nor read a caller (RequestContext.caller is None).
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass

from global_chat.conditional import EntityTag
from global_chat.web.connexion_extensions import SPEC_PATH, SPEC_YAML_PATH, UI_PATH
from global_chat.web.contract_document import served_contract
from global_chat.web.mcp import MCP_PATH
from global_chat.web.probes import JSON as PROBE_MEDIA_TYPE
from global_chat.web.probes import READINESS_PATH
from global_chat_generated.models import ApiCatalog, LinkContext, LinkTarget
from global_chat_generated.operations import OPERATIONS
from global_chat_generated.server.runtime import model_json

PROFILE = "https://www.rfc-editor.org/info/rfc9727"
"""RFC 9727's profile URI (section 4.2), the `profile` parameter of the catalog's media type."""
MEDIA_TYPE = "application/linkset+json"
CATALOG_PATH = OPERATIONS["get_api_catalog"].path
CACHE_CONTROL = "public, max-age=3600"
VARY = "Origin"
"""The one request field the catalog's answers depend on: the CORS layer answers each Origin its own way."""
TITLE = "Everruns Global Chat API"


@dataclass(frozen=True, slots=True)
class Catalog:
    body: ApiCatalog
    etag: EntityTag
    link: str
    """The `Link` field naming the catalog (`rel="api-catalog"`), on every answer of the catalog."""


def build_catalog(api_base_url: str) -> Catalog:
    """The catalog of a deployment whose public base URL is `api_base_url` (Settings.api_base_url: absolute,
    without a trailing slash)."""
    catalog, rest, mcp = (
        api_base_url + CATALOG_PATH,
        api_base_url + posixpath.dirname(SPEC_PATH),
        api_base_url + MCP_PATH,
    )
    body = ApiCatalog(
        linkset=[
            LinkContext.model_validate(
                {
                    "anchor": catalog,
                    "item": [
                        LinkTarget(href=rest, title=f"{TITLE} (REST)"),
                        LinkTarget(
                            href=mcp, title=f"{TITLE} as MCP tools (Streamable HTTP; tools/list describes them)"
                        ),
                    ],
                }
            ),
            LinkContext.model_validate(
                {
                    "anchor": rest,
                    "service-desc": [  # the types of what those routes serve
                        LinkTarget(href=api_base_url + SPEC_PATH, type=served_contract().json.media_type),
                        LinkTarget(href=api_base_url + SPEC_YAML_PATH, type=served_contract().yaml.media_type),
                    ],
                    "service-doc": [LinkTarget(href=f"{api_base_url}{UI_PATH}/", type="text/html")],
                    "status": [LinkTarget(href=api_base_url + READINESS_PATH, type=PROBE_MEDIA_TYPE)],
                }
            ),
        ]
    )
    etag = EntityTag(hashlib.sha256(model_json(body)).hexdigest()[:32])
    # the catalog's URI as the body writes it (pydantic's URL, normalized: a host in lower case), so both agree
    link = f'<{body.linkset[0].anchor}>; rel="api-catalog"; type="{MEDIA_TYPE}"'
    return Catalog(body=body, etag=etag, link=link)
