from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.builtin_tool_definition_type import BuiltinToolDefinitionType
from ..models.deferrable_policy import DeferrablePolicy
from ..models.tool_policy import ToolPolicy
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tool_hints import ToolHints


T = TypeVar("T", bound="BuiltinToolDefinition")


@_attrs_define
class BuiltinToolDefinition:
    """Built-in tool - executed by the worker via ToolRegistry

    Attributes:
        description (str): Tool description for LLM
        name (str): Tool name (used by LLM and for registry lookup)
        parameters (Any): JSON schema for tool parameters
        type_ (BuiltinToolDefinitionType):
        category (None | str | Unset): Category for tool_search namespace grouping (from parent capability)
        deferrable (DeferrablePolicy | Unset): Controls whether a tool's full schema can be deferred (tool_search).

            When tool_search is active and a model supports it, tools marked as
            `Automatic` or `Always` will have `defer_loading: true` set, meaning
            only the name+description are sent upfront and full parameter schemas
            are loaded on-demand by the model.
        display_name (None | str | Unset): Human-readable display name for UI rendering (e.g., "Get Current Time" for
            `get_current_time`)
        full_parameters (Any | Unset): Original full parameter schema saved by `DeferSchemaHook` before stripping.
            Serialized only when present so durable reason-to-act scheduling can
            preserve deferred schemas for `tool_search` in the act phase.
        hints (ToolHints | Unset): Semantic hints describing a tool's behavioral properties.

            Follows the MCP tool annotations convention (readOnlyHint, destructiveHint,
            idempotentHint, openWorldHint) plus everruns-specific hints. All fields are
            optional booleans — `None` means "unknown/unspecified". Consumers should
            treat `None` as the conservative default (e.g., assume not readonly, assume
            not idempotent).

            These hints are informational — they do not enforce policy. Use `ToolPolicy`
            for execution gating (auto vs requires_approval).
        policy (ToolPolicy | Unset): Tool policy determines how tool calls are handled
    """

    description: str
    name: str
    parameters: Any
    type_: BuiltinToolDefinitionType
    category: None | str | Unset = UNSET
    deferrable: DeferrablePolicy | Unset = UNSET
    display_name: None | str | Unset = UNSET
    full_parameters: Any | Unset = UNSET
    hints: ToolHints | Unset = UNSET
    policy: ToolPolicy | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        name = self.name

        parameters = self.parameters

        type_ = self.type_.value

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        else:
            category = self.category

        deferrable: str | Unset = UNSET
        if not isinstance(self.deferrable, Unset):
            deferrable = self.deferrable.value

        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        full_parameters = self.full_parameters

        hints: dict[str, Any] | Unset = UNSET
        if not isinstance(self.hints, Unset):
            hints = self.hints.to_dict()

        policy: str | Unset = UNSET
        if not isinstance(self.policy, Unset):
            policy = self.policy.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "name": name,
                "parameters": parameters,
                "type": type_,
            }
        )
        if category is not UNSET:
            field_dict["category"] = category
        if deferrable is not UNSET:
            field_dict["deferrable"] = deferrable
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if full_parameters is not UNSET:
            field_dict["full_parameters"] = full_parameters
        if hints is not UNSET:
            field_dict["hints"] = hints
        if policy is not UNSET:
            field_dict["policy"] = policy

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tool_hints import ToolHints  # noqa: PLC0415

        d = dict(src_dict)
        description = d.pop("description")

        name = d.pop("name")

        parameters = d.pop("parameters")

        type_ = BuiltinToolDefinitionType(d.pop("type"))

        def _parse_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        category = _parse_category(d.pop("category", UNSET))

        _deferrable = d.pop("deferrable", UNSET)
        deferrable: DeferrablePolicy | Unset
        if isinstance(_deferrable, Unset):
            deferrable = UNSET
        else:
            deferrable = DeferrablePolicy(_deferrable)

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))

        full_parameters = d.pop("full_parameters", UNSET)

        _hints = d.pop("hints", UNSET)
        hints: ToolHints | Unset
        if isinstance(_hints, Unset):
            hints = UNSET
        else:
            hints = ToolHints.from_dict(_hints)

        _policy = d.pop("policy", UNSET)
        policy: ToolPolicy | Unset
        if isinstance(_policy, Unset):
            policy = UNSET
        else:
            policy = ToolPolicy(_policy)

        builtin_tool_definition = cls(
            description=description,
            name=name,
            parameters=parameters,
            type_=type_,
            category=category,
            deferrable=deferrable,
            display_name=display_name,
            full_parameters=full_parameters,
            hints=hints,
            policy=policy,
        )

        builtin_tool_definition.additional_properties = d
        return builtin_tool_definition

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
