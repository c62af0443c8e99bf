"""The `discovery` operations of the contract (the generated interface): the API catalog of this deployment
(discovery/catalog.py), built once, and its headers; a 304 for a matching If-None-Match. Unlike every other
answer, these choose their own Cache-Control and Vary (public: the same for every caller)."""

from __future__ import annotations

from global_chat.conditional import if_none_match_passes
from global_chat.context import RequestContext
from global_chat.discovery.catalog import CACHE_CONTROL, VARY, Catalog
from global_chat_generated.api.discovery import (
    DiscoveryApi,
    GetApiCatalog200,
    GetApiCatalog304,
    GetApiCatalogResult,
    HeadApiCatalog200,
    HeadApiCatalog304,
    HeadApiCatalogResult,
)


class DiscoveryHandlers(DiscoveryApi[RequestContext]):
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._headers = {"link": catalog.link, "etag": str(catalog.etag), "cache_control": CACHE_CONTROL, "vary": VARY}

    async def get_api_catalog(self, context: RequestContext, if_none_match: str | None = None) -> GetApiCatalogResult:
        if not if_none_match_passes(if_none_match, self._catalog.etag):
            return GetApiCatalog304(**self._headers)
        return GetApiCatalog200(body=self._catalog.body, **self._headers)

    async def head_api_catalog(self, context: RequestContext, if_none_match: str | None = None) -> HeadApiCatalogResult:
        if not if_none_match_passes(if_none_match, self._catalog.etag):
            return HeadApiCatalog304(**self._headers)
        return HeadApiCatalog200(**self._headers)
