from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.principal_kind import PrincipalKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="PrincipalSummary")


@_attrs_define
class PrincipalSummary:
    """Compact view of a principal — id + kind + the subject-id pointer back
    into the user/agent-identity row. Used wherever a full `Principal`
    would be redundant (e.g. as a sub-field of a session or audit record).

        Attributes:
            id (str): Principal ID (format: principal_{32-hex}). Example: principal_01933b5a000070008000000000000001.
            kind (PrincipalKind): Class of principal that can hold permissions or own resources. `system`
                is reserved for platform-internal callers and is never minted via the
                public API.
            metadata (Any | Unset): Free-form metadata about the principal.
            subject_id (None | Unset | UUID):
    """

    id: str
    kind: PrincipalKind
    metadata: Any | Unset = UNSET
    subject_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        metadata = self.metadata

        subject_id: None | str | Unset
        if isinstance(self.subject_id, Unset):
            subject_id = UNSET
        elif isinstance(self.subject_id, UUID):
            subject_id = str(self.subject_id)
        else:
            subject_id = self.subject_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if subject_id is not UNSET:
            field_dict["subject_id"] = subject_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = PrincipalKind(d.pop("kind"))

        metadata = d.pop("metadata", UNSET)

        def _parse_subject_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                subject_id_type_0 = UUID(data)

                return subject_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        subject_id = _parse_subject_id(d.pop("subject_id", UNSET))

        principal_summary = cls(
            id=id,
            kind=kind,
            metadata=metadata,
            subject_id=subject_id,
        )

        principal_summary.additional_properties = d
        return principal_summary

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
