from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_catalog import ApiCatalog
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/.well-known/api-catalog",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ApiCatalog | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = ApiCatalog.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ApiCatalog | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ApiCatalog | ErrorResponse]:
    """API catalog

     The API catalog of RFC 9727: a linkset (RFC 9264, `application/linkset+json` with the profile
    parameter `profile="https://www.rfc-editor.org/info/rfc9727"`) naming what this service offers: the
    REST API (its contract as `service-desc`, its rendered documentation as `service-doc`, its readiness
    probe as `status`) and the MCP endpoint, both as `item`s of the catalog. Every URL is absolute,
    built
    from the server's configured public base URL (never from the request's `Host`).

    No credential is needed or read. The catalog is the same for every caller and changes only with the
    deployment: it may be kept by shared caches (`Cache-Control: public`) and revalidated with
    `If-None-Match`.

    Args:
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiCatalog | ErrorResponse]
    """

    kwargs = _get_kwargs(
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
) -> Any | ApiCatalog | ErrorResponse | None:
    """API catalog

     The API catalog of RFC 9727: a linkset (RFC 9264, `application/linkset+json` with the profile
    parameter `profile="https://www.rfc-editor.org/info/rfc9727"`) naming what this service offers: the
    REST API (its contract as `service-desc`, its rendered documentation as `service-doc`, its readiness
    probe as `status`) and the MCP endpoint, both as `item`s of the catalog. Every URL is absolute,
    built
    from the server's configured public base URL (never from the request's `Host`).

    No credential is needed or read. The catalog is the same for every caller and changes only with the
    deployment: it may be kept by shared caches (`Cache-Control: public`) and revalidated with
    `If-None-Match`.

    Args:
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiCatalog | ErrorResponse
    """

    return sync_detailed(
        client=client,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ApiCatalog | ErrorResponse]:
    """API catalog

     The API catalog of RFC 9727: a linkset (RFC 9264, `application/linkset+json` with the profile
    parameter `profile="https://www.rfc-editor.org/info/rfc9727"`) naming what this service offers: the
    REST API (its contract as `service-desc`, its rendered documentation as `service-doc`, its readiness
    probe as `status`) and the MCP endpoint, both as `item`s of the catalog. Every URL is absolute,
    built
    from the server's configured public base URL (never from the request's `Host`).

    No credential is needed or read. The catalog is the same for every caller and changes only with the
    deployment: it may be kept by shared caches (`Cache-Control: public`) and revalidated with
    `If-None-Match`.

    Args:
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiCatalog | ErrorResponse]
    """

    kwargs = _get_kwargs(
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
) -> Any | ApiCatalog | ErrorResponse | None:
    """API catalog

     The API catalog of RFC 9727: a linkset (RFC 9264, `application/linkset+json` with the profile
    parameter `profile="https://www.rfc-editor.org/info/rfc9727"`) naming what this service offers: the
    REST API (its contract as `service-desc`, its rendered documentation as `service-doc`, its readiness
    probe as `status`) and the MCP endpoint, both as `item`s of the catalog. Every URL is absolute,
    built
    from the server's configured public base URL (never from the request's `Host`).

    No credential is needed or read. The catalog is the same for every caller and changes only with the
    deployment: it may be kept by shared caches (`Cache-Control: public`) and revalidated with
    `If-None-Match`.

    Args:
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiCatalog | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            if_none_match=if_none_match,
        )
    ).parsed
