from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.error_code import ErrorCode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.allowed_action import AllowedAction


T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """The one error body of this API. `error` is a human- and agent-readable message, `code` what kind of
    error it is for programs (always present in this server's answers), and `allowed_actions` carries
    error-recovery links (`retry`, `retry-later`, ...).

        Example:
            {'error': 'Invalid locale: not a BCP 47 language tag.', 'code': 'invalid_locale', 'allowed_actions': [{'rel':
                'retry', 'operation_id': 'get_or_create_chat_session', 'hint': 'Send a BCP 47 locale such as "uk-UA", or omit
                it.'}]}

        Attributes:
            error (str): What went wrong, in one sentence. Example: Invalid locale: not a BCP 47 language tag..
            code (ErrorCode | Unset): What kind of error this is, for programs (`error` is the message for people). A closed
                vocabulary:
                a value outside it would be a breaking change of this contract.

                - `invalid_request` (400, 408, 431): the request does not match the contract (body, parameters,
                  encoding), or the server refused it for another reason of the client's; 408 and 431 come from the
                  HTTP layer, before any operation: the request head or body took too long to arrive, or the head
                  is larger than the server accepts
                - `invalid_locale` (400): `locale` is not a well-formed BCP 47 language tag
                - `unauthorized` (401): credentials are missing, malformed, unknown, expired or revoked
                - `forbidden` (403): the credentials are valid but the request is refused: a request authenticated by
                  the `access_token` cookie that does not come from the web UI's origin
                - `organization_mismatch` (403): `X-Org-Id` (or the `everruns_org` cookie) names another organization
                  than the credential's
                - `not_found` (404): no such session for the caller, or no such resource
                - `method_not_allowed` (405): the path does not serve this method (the `Allow` header names those it does)
                - `payload_too_large` (413): the request body is larger than the server accepts
                - `unsupported_media_type` (415): the request body is not `application/json`
                - `rate_limited` (429): over the organization's session-creation budget; retry after `retry_after_seconds`
                - `internal_error` (500): a bug of the server's; quote `request_id` when reporting it
                - `service_unavailable` (503): the database is unreachable, the server is shutting down or serves as
                  many connections as it accepts; retry later
                 Example: rate_limited.
            allowed_actions (list[AllowedAction] | Unset): Error-recovery actions the caller can take next. Omitted when
                there is none.
            retry_after_seconds (int | None | Unset): Seconds to wait before retrying; mirrors the `Retry-After` header on
                429 and 503. Example: 30.
            request_id (None | str | Unset): Identifier of the request, as in the `X-Request-Id` response header; quote it
                when reporting a 500. Example: 0193b2c4e5f67a8b9c0d1e2f3a4b5c6d.
    """

    error: str
    code: ErrorCode | Unset = UNSET
    allowed_actions: list[AllowedAction] | Unset = UNSET
    retry_after_seconds: int | None | Unset = UNSET
    request_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        code: str | Unset = UNSET
        if not isinstance(self.code, Unset):
            code = self.code.value

        allowed_actions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.allowed_actions, Unset):
            allowed_actions = []
            for allowed_actions_item_data in self.allowed_actions:
                allowed_actions_item = allowed_actions_item_data.to_dict()
                allowed_actions.append(allowed_actions_item)

        retry_after_seconds: int | None | Unset
        if isinstance(self.retry_after_seconds, Unset):
            retry_after_seconds = UNSET
        else:
            retry_after_seconds = self.retry_after_seconds

        request_id: None | str | Unset
        if isinstance(self.request_id, Unset):
            request_id = UNSET
        else:
            request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )
        if code is not UNSET:
            field_dict["code"] = code
        if allowed_actions is not UNSET:
            field_dict["allowed_actions"] = allowed_actions
        if retry_after_seconds is not UNSET:
            field_dict["retry_after_seconds"] = retry_after_seconds
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.allowed_action import AllowedAction  # noqa: PLC0415

        d = dict(src_dict)
        error = d.pop("error")

        _code = d.pop("code", UNSET)
        code: ErrorCode | Unset
        if isinstance(_code, Unset):
            code = UNSET
        else:
            code = ErrorCode(_code)

        _allowed_actions = d.pop("allowed_actions", UNSET)
        allowed_actions: list[AllowedAction] | Unset = UNSET
        if _allowed_actions is not UNSET:
            allowed_actions = []
            for allowed_actions_item_data in _allowed_actions:
                allowed_actions_item = AllowedAction.from_dict(allowed_actions_item_data)

                allowed_actions.append(allowed_actions_item)

        def _parse_retry_after_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retry_after_seconds = _parse_retry_after_seconds(d.pop("retry_after_seconds", UNSET))

        def _parse_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        request_id = _parse_request_id(d.pop("request_id", UNSET))

        error_response = cls(
            error=error,
            code=code,
            allowed_actions=allowed_actions,
            retry_after_seconds=retry_after_seconds,
            request_id=request_id,
        )

        error_response.additional_properties = d
        return error_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
