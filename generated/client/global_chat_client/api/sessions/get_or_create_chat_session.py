from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.get_or_create_chat_session_request import GetOrCreateChatSessionRequest
from ...models.with_urls_session import WithUrlsSession
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: GetOrCreateChatSessionRequest | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/sessions/chat",
    }

    if isinstance(body, GetOrCreateChatSessionRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | WithUrlsSession | None:
    if response.status_code == 200:
        response_200 = WithUrlsSession.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | WithUrlsSession]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: GetOrCreateChatSessionRequest | None | Unset = UNSET,
) -> Response[ErrorResponse | WithUrlsSession]:
    """Get or create global chat session

     Returns the user's singleton global chat session. Creates one if it doesn't exist.
    Uses the Platform Chat harness and tags for per-user singleton management.

    The optional `locale` only seeds a session being created; an existing session is returned unchanged.
    Only a creation counts against the organization's session-creation rate limit.

    Args:
        body (GetOrCreateChatSessionRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WithUrlsSession]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: GetOrCreateChatSessionRequest | None | Unset = UNSET,
) -> ErrorResponse | WithUrlsSession | None:
    """Get or create global chat session

     Returns the user's singleton global chat session. Creates one if it doesn't exist.
    Uses the Platform Chat harness and tags for per-user singleton management.

    The optional `locale` only seeds a session being created; an existing session is returned unchanged.
    Only a creation counts against the organization's session-creation rate limit.

    Args:
        body (GetOrCreateChatSessionRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WithUrlsSession
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: GetOrCreateChatSessionRequest | None | Unset = UNSET,
) -> Response[ErrorResponse | WithUrlsSession]:
    """Get or create global chat session

     Returns the user's singleton global chat session. Creates one if it doesn't exist.
    Uses the Platform Chat harness and tags for per-user singleton management.

    The optional `locale` only seeds a session being created; an existing session is returned unchanged.
    Only a creation counts against the organization's session-creation rate limit.

    Args:
        body (GetOrCreateChatSessionRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WithUrlsSession]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: GetOrCreateChatSessionRequest | None | Unset = UNSET,
) -> ErrorResponse | WithUrlsSession | None:
    """Get or create global chat session

     Returns the user's singleton global chat session. Creates one if it doesn't exist.
    Uses the Platform Chat harness and tags for per-user singleton management.

    The optional `locale` only seeds a session being created; an existing session is returned unchanged.
    Only a creation counts against the organization's session-creation rate limit.

    Args:
        body (GetOrCreateChatSessionRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WithUrlsSession
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
