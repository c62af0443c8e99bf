from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.conditional_error_code import ConditionalErrorCode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.allowed_action import AllowedAction


T = TypeVar("T", bound="PreconditionFailedResponse")


@_attrs_define
class PreconditionFailedResponse:
    """The `ErrorResponse` of a 412, with its own `code` vocabulary (`ConditionalErrorCode`).

    Example:
        {'error': 'The session has changed since you read it: If-Match does not match its current ETag. Nothing was
            changed.', 'code': 'precondition_failed', 'allowed_actions': [{'rel': 'retry', 'operation_id': 'update_session',
            'hint': "Read the session again (its current ETag is in this answer's ETag header), re-apply your change to it,
            and send it with that ETag in If-Match."}]}

    Attributes:
        error (str): What went wrong, in one sentence. Example: The session has changed since you read it: If-Match does
            not match its current ETag. Nothing was changed..
        code (ConditionalErrorCode): The `code` of the answers only a conditional request can get, kept apart from
            `ErrorCode` so that the
            vocabulary every existing client knows stays closed (a client that sends no precondition never sees it):

            - `precondition_failed` (412): `If-Match` names no current `ETag` of the session: it changed since the
              caller read it, and nothing was changed; the answer's `ETag` header is the current one
             Example: precondition_failed.
        allowed_actions (list[AllowedAction] | Unset): Error-recovery actions the caller can take next.
    """

    error: str
    code: ConditionalErrorCode
    allowed_actions: list[AllowedAction] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        code = self.code.value

        allowed_actions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.allowed_actions, Unset):
            allowed_actions = []
            for allowed_actions_item_data in self.allowed_actions:
                allowed_actions_item = allowed_actions_item_data.to_dict()
                allowed_actions.append(allowed_actions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "code": code,
            }
        )
        if allowed_actions is not UNSET:
            field_dict["allowed_actions"] = allowed_actions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.allowed_action import AllowedAction  # noqa: PLC0415

        d = dict(src_dict)
        error = d.pop("error")

        code = ConditionalErrorCode(d.pop("code"))

        _allowed_actions = d.pop("allowed_actions", UNSET)
        allowed_actions: list[AllowedAction] | Unset = UNSET
        if _allowed_actions is not UNSET:
            allowed_actions = []
            for allowed_actions_item_data in _allowed_actions:
                allowed_actions_item = AllowedAction.from_dict(allowed_actions_item_data)

                allowed_actions.append(allowed_actions_item)

        precondition_failed_response = cls(
            error=error,
            code=code,
            allowed_actions=allowed_actions,
        )

        precondition_failed_response.additional_properties = d
        return precondition_failed_response

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
