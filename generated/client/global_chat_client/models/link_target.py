from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LinkTarget")


@_attrs_define
class LinkTarget:
    """One link target (RFC 9264, section 4.2.3) and its target attributes (section 4.2.4).

    Attributes:
        href (str): The absolute URI of the link's target. Example: https://chat.example.com/v1/openapi.json.
        type_ (str | Unset): The media type of the target's representation (a hint, RFC 8288 section 3.4.1). Example:
            application/json.
        title (str | Unset): A human-readable label of the target. Example: Everruns Global Chat API (REST).
    """

    href: str
    type_: str | Unset = UNSET
    title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        href = self.href

        type_ = self.type_

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "href": href,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        href = d.pop("href")

        type_ = d.pop("type", UNSET)

        title = d.pop("title", UNSET)

        link_target = cls(
            href=href,
            type_=type_,
            title=title,
        )

        link_target.additional_properties = d
        return link_target

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
