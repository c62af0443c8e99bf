from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="NetworkAccessList")


@_attrs_define
class NetworkAccessList:
    """Network access list controlling which hosts/URLs an agent session can reach.

    - `allowed`: if non-empty, only URLs matching these patterns are permitted.
    - `blocked`: URLs matching these patterns are always denied (takes precedence over allowed).

    Pattern format:
    - `example.com` — exact domain match (any port, any path)
    - `*.example.com` — domain and all subdomains
    - `https://example.com/api/` — exact URL prefix (scheme + host + path)

        Example:
            {'allowed': ['*.example.com', 'https://api.acme.com/'], 'blocked': ['169.254.169.254']}

        Attributes:
            allowed (list[str] | Unset): Allowed host patterns. If non-empty, only matching URLs are permitted.
                An empty list means "no restriction from this layer" (inherit parent).
            blocked (list[str] | Unset): Blocked host patterns. Always denied, even if matched by `allowed`.
    """

    allowed: list[str] | Unset = UNSET
    blocked: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allowed: list[str] | Unset = UNSET
        if not isinstance(self.allowed, Unset):
            allowed = self.allowed

        blocked: list[str] | Unset = UNSET
        if not isinstance(self.blocked, Unset):
            blocked = self.blocked

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if allowed is not UNSET:
            field_dict["allowed"] = allowed
        if blocked is not UNSET:
            field_dict["blocked"] = blocked

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allowed = cast(list[str], d.pop("allowed", UNSET))

        blocked = cast(list[str], d.pop("blocked", UNSET))

        network_access_list = cls(
            allowed=allowed,
            blocked=blocked,
        )

        network_access_list.additional_properties = d
        return network_access_list

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
