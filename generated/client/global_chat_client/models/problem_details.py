from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.conditional_error_code import ConditionalErrorCode
from ..models.error_code import ErrorCode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.allowed_action import AllowedAction


T = TypeVar("T", bound="ProblemDetails")


@_attrs_define
class ProblemDetails:
    """The error body for a client that asks for it with `Accept: application/problem+json` (RFC 9457, Problem
    Details for HTTP APIs): the members of `ErrorResponse` (but `error`, which is `detail` here) plus RFC
    9457's own. `type` is `about:blank`: the problem is what `status` says, and `code` is its machine-readable
    kind. Every other client gets `ErrorResponse`.

        Example:
            {'type': 'about:blank', 'title': 'Too Many Requests', 'status': 429, 'detail': 'Session creation rate limit
                exceeded; retry later.', 'instance': '/v1/sessions/chat', 'code': 'rate_limited', 'retry_after_seconds': 12,
                'request_id': '0193b2c4e5f67a8b9c0d1e2f3a4b5c6d', 'allowed_actions': [{'rel': 'retry-later', 'operation_id':
                'get_or_create_chat_session', 'hint': 'Retry after 12 seconds.'}]}

        Attributes:
            type_ (str): A URI reference naming the problem type; `about:blank`: see `title` and `code`. Example:
                about:blank.
            title (str): The HTTP status's reason phrase. Example: Too Many Requests.
            status (int): The HTTP status code of this answer. Example: 429.
            detail (str): What went wrong, in one sentence (the `error` of `ErrorResponse`). Example: Session creation rate
                limit exceeded; retry later..
            instance (None | str | Unset): The path of the request this problem occurred on. Example: /v1/sessions/chat.
            code (ConditionalErrorCode | ErrorCode | Unset): What kind of error this is, for programs (`ErrorCode`, or
                `ConditionalErrorCode` on a 412).
            allowed_actions (list[AllowedAction] | Unset): Error-recovery actions the caller can take next. Omitted when
                there is none.
            retry_after_seconds (int | None | Unset): Seconds to wait before retrying; mirrors the `Retry-After` header on
                429 and 503. Example: 30.
            request_id (None | str | Unset): Identifier of the request, as in the `X-Request-Id` response header. Example:
                0193b2c4e5f67a8b9c0d1e2f3a4b5c6d.
    """

    type_: str
    title: str
    status: int
    detail: str
    instance: None | str | Unset = UNSET
    code: ConditionalErrorCode | ErrorCode | Unset = UNSET
    allowed_actions: list[AllowedAction] | Unset = UNSET
    retry_after_seconds: int | None | Unset = UNSET
    request_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        instance: None | str | Unset
        if isinstance(self.instance, Unset):
            instance = UNSET
        else:
            instance = self.instance

        code: str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        elif isinstance(self.code, ErrorCode):
            code = self.code.value
        else:
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
                "type": type_,
                "title": title,
                "status": status,
                "detail": detail,
            }
        )
        if instance is not UNSET:
            field_dict["instance"] = instance
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
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        detail = d.pop("detail")

        def _parse_instance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instance = _parse_instance(d.pop("instance", UNSET))

        def _parse_code(data: object) -> ConditionalErrorCode | ErrorCode | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                code_type_0 = ErrorCode(data)

                return code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            code_type_1 = ConditionalErrorCode(data)

            return code_type_1

        code = _parse_code(d.pop("code", UNSET))

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

        problem_details = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            code=code,
            allowed_actions=allowed_actions,
            retry_after_seconds=retry_after_seconds,
            request_id=request_id,
        )

        problem_details.additional_properties = d
        return problem_details

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
