from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.allowed_action import AllowedAction


T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """The one error body of this API. `error` is a human- and agent-readable message;
    `allowed_actions` carries error-recovery links (`retry`, `retry-later`, ...).

        Example:
            {'error': 'Invalid locale: not a BCP 47 language tag.', 'allowed_actions': [{'rel': 'retry', 'operation_id':
                'get_or_create_chat_session', 'hint': 'Send a BCP 47 locale such as "uk-UA", or omit it.'}]}

        Attributes:
            error (str): What went wrong, in one sentence. Example: Invalid locale: not a BCP 47 language tag..
            allowed_actions (list[AllowedAction] | Unset): Error-recovery actions the caller can take next. Omitted when
                there is none.
            retry_after_seconds (int | None | Unset): Seconds to wait before retrying; mirrors the `Retry-After` header on
                429 and 503. Example: 30.
            request_id (None | str | Unset): Identifier of the request, as in the `X-Request-Id` response header; quote it
                when reporting a 500. Example: 0193b2c4e5f67a8b9c0d1e2f3a4b5c6d.
    """

    error: str
    allowed_actions: list[AllowedAction] | Unset = UNSET
    retry_after_seconds: int | None | Unset = UNSET
    request_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

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
