from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateSessionRequest")


@_attrs_define
class UpdateSessionRequest:
    """Fields to change on a session; absent fields stay as they are.

    Example:
        {'title': 'Planning chat', 'tags': ['planning']}

    Attributes:
        title (str | Unset): Human-readable title for the session (any text but U+0000, which no database stores).
            Example: Planning chat.
        locale (None | str | Unset): BCP 47 locale (canonicalized, e.g. `uk-ua` becomes `uk-UA`); null clears it.
            Example: uk-UA.
        tags (list[str] | Unset): The session's tags, replacing the current ones; any text but U+0000.
            On the global chat session the markers `global-chat` and `user:<uuid>` are always kept.
             Example: ['planning'].
    """

    title: str | Unset = UNSET
    locale: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        else:
            locale = self.locale

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if title is not UNSET:
            field_dict["title"] = title
        if locale is not UNSET:
            field_dict["locale"] = locale
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title", UNSET)

        def _parse_locale(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locale = _parse_locale(d.pop("locale", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        update_session_request = cls(
            title=title,
            locale=locale,
            tags=tags,
        )

        return update_session_request
