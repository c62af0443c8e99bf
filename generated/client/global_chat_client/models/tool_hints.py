from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.side_effect_class import SideEffectClass
from ..types import UNSET, Unset

T = TypeVar("T", bound="ToolHints")


@_attrs_define
class ToolHints:
    """Semantic hints describing a tool's behavioral properties.

    Follows the MCP tool annotations convention (readOnlyHint, destructiveHint,
    idempotentHint, openWorldHint) plus everruns-specific hints. All fields are
    optional booleans — `None` means "unknown/unspecified". Consumers should
    treat `None` as the conservative default (e.g., assume not readonly, assume
    not idempotent).

    These hints are informational — they do not enforce policy. Use `ToolPolicy`
    for execution gating (auto vs requires_approval).

        Attributes:
            capability_id (None | str | Unset): Capability that contributed this tool definition.

                Reporting uses this attribution only as metadata. It must never contain
                tool arguments, results, prompts, or any other sensitive payload.
            capability_name (None | str | Unset): Human-readable capability name snapshot for reporting.
            concurrency_class (None | str | Unset): Scheduling conflict key. Tool calls within the same act batch that share
                a non-empty `concurrency_class` are executed sequentially in arrival
                order; calls in different classes (or with no class) run concurrently.

                Set this on tools that mutate shared session state so that, e.g., two
                file writes or two SQL mutations in one batch do not race. Read-only
                tools should leave this `None` so they always parallelize. See
                `crate::atoms::tool_scheduler` for how the act scheduler consumes it.
            cpu_bound (bool | None | Unset): Tool performs significant CPU-bound or otherwise non-yielding work in
                process (e.g. an in-process interpreter). When true, the act scheduler
                runs the call on its own task (`tokio::spawn`) so a long CPU burst does
                not starve the cooperative polling of I/O-bound tools in the same batch.

                Distinct from `long_running`, which describes wall-clock time for
                I/O-bound work (those tools yield at await points and need no offload).
            destructive (bool | None | Unset): Tool may irreversibly destroy or delete data.
                Subset of non-readonly — a tool can be non-readonly (writes) without
                being destructive (e.g., create/update operations).
            idempotent (bool | None | Unset): Calling the tool repeatedly with the same arguments produces the same
                effect. Safe to retry on transient failures.
            long_running (bool | None | Unset): Tool may take significant time to complete (> ~5s typical).
                Useful for clients to show progress indicators and set timeouts.
            narration_noun (None | str | Unset): Entity noun for operation-based narration (e.g. "agent", "harness").
                When set, the narration system reads the `operation` argument and
                produces verb-based narration like "Created agent: Neon Cartographer"
                instead of the generic "Ran Manage Agents".
            open_world (bool | None | Unset): Tool interacts with external entities beyond the local system
                (network calls, third-party APIs, cloud services).
            persist_output (bool | None | Unset): Tool output should be persisted to session VFS before truncation.
                When set, the `tool_output_persistence` capability (EVE-222, EVE-245) writes
                stdout to `/outputs/{tool_call_id}.stdout` and stderr to
                `/outputs/{tool_call_id}.stderr`, injecting `full_output`, `total_lines`,
                and `output_files` into the result.
            readonly (bool | None | Unset): Tool does not modify any state (read-only queries, lookups).
                When true: safe to call speculatively, result can be cached.
            requires_secrets (bool | None | Unset): Tool requires API keys, credentials, or other secrets to function.
                Useful for UI to show connection prompts and for LLMs to anticipate
                authentication failures.
            side_effect_class (None | SideEffectClass | Unset): Replay-safety class used by the durable Act activity
                (EVE-530).

                Controls what happens when a worker reclaims a stale `running` claim:
                `Pure`/`Idempotent` tools are re-executed; `AtMostOnce` tools are
                settled as `interrupted` to prevent double side-effects.

                `None` is treated conservatively as `AtMostOnce`.
            supports_background (bool | None | Unset): Tool supports detached background execution via `spawn_background`.
                When true, the tool may be executed asynchronously outside the current
                foreground tool call and report status back later.
    """

    capability_id: None | str | Unset = UNSET
    capability_name: None | str | Unset = UNSET
    concurrency_class: None | str | Unset = UNSET
    cpu_bound: bool | None | Unset = UNSET
    destructive: bool | None | Unset = UNSET
    idempotent: bool | None | Unset = UNSET
    long_running: bool | None | Unset = UNSET
    narration_noun: None | str | Unset = UNSET
    open_world: bool | None | Unset = UNSET
    persist_output: bool | None | Unset = UNSET
    readonly: bool | None | Unset = UNSET
    requires_secrets: bool | None | Unset = UNSET
    side_effect_class: None | SideEffectClass | Unset = UNSET
    supports_background: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        capability_id: None | str | Unset
        if isinstance(self.capability_id, Unset):
            capability_id = UNSET
        else:
            capability_id = self.capability_id

        capability_name: None | str | Unset
        if isinstance(self.capability_name, Unset):
            capability_name = UNSET
        else:
            capability_name = self.capability_name

        concurrency_class: None | str | Unset
        if isinstance(self.concurrency_class, Unset):
            concurrency_class = UNSET
        else:
            concurrency_class = self.concurrency_class

        cpu_bound: bool | None | Unset
        if isinstance(self.cpu_bound, Unset):
            cpu_bound = UNSET
        else:
            cpu_bound = self.cpu_bound

        destructive: bool | None | Unset
        if isinstance(self.destructive, Unset):
            destructive = UNSET
        else:
            destructive = self.destructive

        idempotent: bool | None | Unset
        if isinstance(self.idempotent, Unset):
            idempotent = UNSET
        else:
            idempotent = self.idempotent

        long_running: bool | None | Unset
        if isinstance(self.long_running, Unset):
            long_running = UNSET
        else:
            long_running = self.long_running

        narration_noun: None | str | Unset
        if isinstance(self.narration_noun, Unset):
            narration_noun = UNSET
        else:
            narration_noun = self.narration_noun

        open_world: bool | None | Unset
        if isinstance(self.open_world, Unset):
            open_world = UNSET
        else:
            open_world = self.open_world

        persist_output: bool | None | Unset
        if isinstance(self.persist_output, Unset):
            persist_output = UNSET
        else:
            persist_output = self.persist_output

        readonly: bool | None | Unset
        if isinstance(self.readonly, Unset):
            readonly = UNSET
        else:
            readonly = self.readonly

        requires_secrets: bool | None | Unset
        if isinstance(self.requires_secrets, Unset):
            requires_secrets = UNSET
        else:
            requires_secrets = self.requires_secrets

        side_effect_class: None | str | Unset
        if isinstance(self.side_effect_class, Unset):
            side_effect_class = UNSET
        elif isinstance(self.side_effect_class, SideEffectClass):
            side_effect_class = self.side_effect_class.value
        else:
            side_effect_class = self.side_effect_class

        supports_background: bool | None | Unset
        if isinstance(self.supports_background, Unset):
            supports_background = UNSET
        else:
            supports_background = self.supports_background

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if capability_id is not UNSET:
            field_dict["capability_id"] = capability_id
        if capability_name is not UNSET:
            field_dict["capability_name"] = capability_name
        if concurrency_class is not UNSET:
            field_dict["concurrency_class"] = concurrency_class
        if cpu_bound is not UNSET:
            field_dict["cpu_bound"] = cpu_bound
        if destructive is not UNSET:
            field_dict["destructive"] = destructive
        if idempotent is not UNSET:
            field_dict["idempotent"] = idempotent
        if long_running is not UNSET:
            field_dict["long_running"] = long_running
        if narration_noun is not UNSET:
            field_dict["narration_noun"] = narration_noun
        if open_world is not UNSET:
            field_dict["open_world"] = open_world
        if persist_output is not UNSET:
            field_dict["persist_output"] = persist_output
        if readonly is not UNSET:
            field_dict["readonly"] = readonly
        if requires_secrets is not UNSET:
            field_dict["requires_secrets"] = requires_secrets
        if side_effect_class is not UNSET:
            field_dict["side_effect_class"] = side_effect_class
        if supports_background is not UNSET:
            field_dict["supports_background"] = supports_background

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_capability_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        capability_id = _parse_capability_id(d.pop("capability_id", UNSET))

        def _parse_capability_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        capability_name = _parse_capability_name(d.pop("capability_name", UNSET))

        def _parse_concurrency_class(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        concurrency_class = _parse_concurrency_class(d.pop("concurrency_class", UNSET))

        def _parse_cpu_bound(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        cpu_bound = _parse_cpu_bound(d.pop("cpu_bound", UNSET))

        def _parse_destructive(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        destructive = _parse_destructive(d.pop("destructive", UNSET))

        def _parse_idempotent(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        idempotent = _parse_idempotent(d.pop("idempotent", UNSET))

        def _parse_long_running(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        long_running = _parse_long_running(d.pop("long_running", UNSET))

        def _parse_narration_noun(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        narration_noun = _parse_narration_noun(d.pop("narration_noun", UNSET))

        def _parse_open_world(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        open_world = _parse_open_world(d.pop("open_world", UNSET))

        def _parse_persist_output(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        persist_output = _parse_persist_output(d.pop("persist_output", UNSET))

        def _parse_readonly(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        readonly = _parse_readonly(d.pop("readonly", UNSET))

        def _parse_requires_secrets(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        requires_secrets = _parse_requires_secrets(d.pop("requires_secrets", UNSET))

        def _parse_side_effect_class(data: object) -> None | SideEffectClass | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                side_effect_class_type_0 = SideEffectClass(data)

                return side_effect_class_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SideEffectClass | Unset, data)

        side_effect_class = _parse_side_effect_class(d.pop("side_effect_class", UNSET))

        def _parse_supports_background(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        supports_background = _parse_supports_background(d.pop("supports_background", UNSET))

        tool_hints = cls(
            capability_id=capability_id,
            capability_name=capability_name,
            concurrency_class=concurrency_class,
            cpu_bound=cpu_bound,
            destructive=destructive,
            idempotent=idempotent,
            long_running=long_running,
            narration_noun=narration_noun,
            open_world=open_world,
            persist_output=persist_output,
            readonly=readonly,
            requires_secrets=requires_secrets,
            side_effect_class=side_effect_class,
            supports_background=supports_background,
        )

        tool_hints.additional_properties = d
        return tool_hints

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
