from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.link_context import LinkContext


T = TypeVar("T", bound="ApiCatalog")


@_attrs_define
class ApiCatalog:
    """An API catalog (RFC 9727) as a set of links in JSON (RFC 9264, section 4.2): link context objects, each an
    `anchor` and one member per relation type, whose value is the array of its link targets. This service
    lists itself: the catalog's own context names the APIs (`item`), and each API's context names what
    describes it (`service-desc`, `service-doc`, `status`). A client should ignore relations it does not know.

        Example:
            {'linkset': [{'anchor': 'https://chat.example.com/.well-known/api-catalog', 'item': [{'href':
                'https://chat.example.com/v1', 'title': 'Everruns Global Chat API (REST)'}, {'href':
                'https://chat.example.com/mcp', 'title': 'Everruns Global Chat API as MCP tools (Streamable HTTP; tools/list
                describes them)'}]}, {'anchor': 'https://chat.example.com/v1', 'service-desc': [{'href':
                'https://chat.example.com/v1/openapi.json', 'type': 'application/json'}, {'href':
                'https://chat.example.com/v1/openapi.yaml', 'type': 'application/yaml'}], 'service-doc': [{'href':
                'https://chat.example.com/v1/ui/', 'type': 'text/html'}], 'status': [{'href': 'https://chat.example.com/readyz',
                'type': 'application/json'}]}]}

        Attributes:
            linkset (list[LinkContext]):
    """

    linkset: list[LinkContext]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        linkset = []
        for linkset_item_data in self.linkset:
            linkset_item = linkset_item_data.to_dict()
            linkset.append(linkset_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "linkset": linkset,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.link_context import LinkContext  # noqa: PLC0415

        d = dict(src_dict)
        linkset = []
        _linkset = d.pop("linkset")
        for linkset_item_data in _linkset:
            linkset_item = LinkContext.from_dict(linkset_item_data)

            linkset.append(linkset_item)

        api_catalog = cls(
            linkset=linkset,
        )

        api_catalog.additional_properties = d
        return api_catalog

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
