from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InitialFile")


@_attrs_define
class InitialFile:
    """Starter file copied into a new session from an agent or harness.

    Attributes:
        content (str): File content: plain text or base64-encoded binary.
        path (str): Absolute path within the session workspace. `/workspace` prefix is accepted.
        encoding (str | Unset): Content encoding: `text` or `base64`.
        is_readonly (bool | Unset): Prevent session-side edits or deletes when true.
    """

    content: str
    path: str
    encoding: str | Unset = UNSET
    is_readonly: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content = self.content

        path = self.path

        encoding = self.encoding

        is_readonly = self.is_readonly

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content": content,
                "path": path,
            }
        )
        if encoding is not UNSET:
            field_dict["encoding"] = encoding
        if is_readonly is not UNSET:
            field_dict["is_readonly"] = is_readonly

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content = d.pop("content")

        path = d.pop("path")

        encoding = d.pop("encoding", UNSET)

        is_readonly = d.pop("is_readonly", UNSET)

        initial_file = cls(
            content=content,
            path=path,
            encoding=encoding,
            is_readonly=is_readonly,
        )

        initial_file.additional_properties = d
        return initial_file

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
