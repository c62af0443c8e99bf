from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.link_target import LinkTarget


T = TypeVar("T", bound="LinkContext")


@_attrs_define
class LinkContext:
    """Links that share one context (RFC 9264, section 4.2.2): the context's URI (`anchor`) and, for each relation
    type, the array of link targets. The relations this service uses are named; a registered relation is named
    by its name (RFC 8288), an extension relation by its URI.

        Attributes:
            anchor (str): The absolute URI of the links' context. Example: https://chat.example.com/v1.
            item (list[LinkTarget] | Unset): The APIs that are members of the catalog (RFC 6573, as RFC 9727 section 3.1
                uses it).
            service_desc (list[LinkTarget] | Unset): A description of the API for machines (RFC 8631): the OpenAPI contract.
            service_doc (list[LinkTarget] | Unset): Documentation of the API for people (RFC 8631).
            status (list[LinkTarget] | Unset): The API's status (RFC 8631): whether it can serve now.
    """

    anchor: str
    item: list[LinkTarget] | Unset = UNSET
    service_desc: list[LinkTarget] | Unset = UNSET
    service_doc: list[LinkTarget] | Unset = UNSET
    status: list[LinkTarget] | Unset = UNSET
    additional_properties: dict[str, list[LinkTarget]] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        anchor = self.anchor

        item: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.item, Unset):
            item = []
            for item_item_data in self.item:
                item_item = item_item_data.to_dict()
                item.append(item_item)

        service_desc: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.service_desc, Unset):
            service_desc = []
            for service_desc_item_data in self.service_desc:
                service_desc_item = service_desc_item_data.to_dict()
                service_desc.append(service_desc_item)

        service_doc: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.service_doc, Unset):
            service_doc = []
            for service_doc_item_data in self.service_doc:
                service_doc_item = service_doc_item_data.to_dict()
                service_doc.append(service_doc_item)

        status: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = []
            for status_item_data in self.status:
                status_item = status_item_data.to_dict()
                status.append(status_item)

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = []
            for additional_property_item_data in prop:
                additional_property_item = additional_property_item_data.to_dict()
                field_dict[prop_name].append(additional_property_item)

        field_dict.update(
            {
                "anchor": anchor,
            }
        )
        if item is not UNSET:
            field_dict["item"] = item
        if service_desc is not UNSET:
            field_dict["service-desc"] = service_desc
        if service_doc is not UNSET:
            field_dict["service-doc"] = service_doc
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.link_target import LinkTarget  # noqa: PLC0415

        d = dict(src_dict)
        anchor = d.pop("anchor")

        _item = d.pop("item", UNSET)
        item: list[LinkTarget] | Unset = UNSET
        if _item is not UNSET:
            item = []
            for item_item_data in _item:
                item_item = LinkTarget.from_dict(item_item_data)

                item.append(item_item)

        _service_desc = d.pop("service-desc", UNSET)
        service_desc: list[LinkTarget] | Unset = UNSET
        if _service_desc is not UNSET:
            service_desc = []
            for service_desc_item_data in _service_desc:
                service_desc_item = LinkTarget.from_dict(service_desc_item_data)

                service_desc.append(service_desc_item)

        _service_doc = d.pop("service-doc", UNSET)
        service_doc: list[LinkTarget] | Unset = UNSET
        if _service_doc is not UNSET:
            service_doc = []
            for service_doc_item_data in _service_doc:
                service_doc_item = LinkTarget.from_dict(service_doc_item_data)

                service_doc.append(service_doc_item)

        _status = d.pop("status", UNSET)
        status: list[LinkTarget] | Unset = UNSET
        if _status is not UNSET:
            status = []
            for status_item_data in _status:
                status_item = LinkTarget.from_dict(status_item_data)

                status.append(status_item)

        link_context = cls(
            anchor=anchor,
            item=item,
            service_desc=service_desc,
            service_doc=service_doc,
            status=status,
        )

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = []
            _additional_property = prop_dict
            for additional_property_item_data in _additional_property:
                additional_property_item = LinkTarget.from_dict(additional_property_item_data)

                additional_property.append(additional_property_item)

            additional_properties[prop_name] = additional_property

        link_context.additional_properties = additional_properties
        return link_context

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> list[LinkTarget]:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: list[LinkTarget]) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
