from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.session_status import SessionStatus
from ..models.subagent_status import SubagentStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_capability_config import AgentCapabilityConfig
    from ..models.allowed_action import AllowedAction
    from ..models.builtin_tool_definition import BuiltinToolDefinition
    from ..models.client_side_tool_definition import ClientSideToolDefinition
    from ..models.initial_file import InitialFile
    from ..models.mcp_servers import McpServers
    from ..models.network_access_list import NetworkAccessList
    from ..models.principal_summary import PrincipalSummary
    from ..models.session_blueprint_config_type_0 import SessionBlueprintConfigType0
    from ..models.session_hints_type_0 import SessionHintsType0
    from ..models.token_usage import TokenUsage


T = TypeVar("T", bound="WithUrlsSession")


@_attrs_define
class WithUrlsSession:
    """Wrapper that adds API and UI links to a serialized resource.

    Uses `self_url` (not `url`) for the API link to avoid collision with
    resources that already have a `url` field (e.g. McpServer). The
    `allowed_actions` array carries state-aware hypermedia links — empty
    (and omitted from the wire shape) until the underlying resource opts
    into the convention by overriding `ResourceUrlable::allowed_actions`.

        Example:
            {'id': 'session_01933b5a000070008000000000000001', 'organization_id': 'org_00000000000000000000000000000001',
                'workspace_id': 'wsp_01933b5a000070008000000000000001', 'harness_id':
                'harness_01933b5a000070008000000000000002', 'owner_principal_id': 'principal_01933b5a000070008000000000000003',
                'owner': {'id': 'principal_01933b5a000070008000000000000003', 'kind': 'user', 'subject_id':
                '00000000-0000-0000-0000-000000000001'}, 'effective_owner': {'id': 'principal_01933b5a000070008000000000000003',
                'kind': 'user', 'subject_id': '00000000-0000-0000-0000-000000000001'}, 'resolved_owner_user_id':
                '00000000-0000-0000-0000-000000000001', 'title': 'Platform Chat', 'locale': 'uk-UA', 'status': 'started',
                'tags': ['global-chat', 'user:00000000-0000-0000-0000-000000000001'], 'features': [], 'capabilities': [],
                'tools': [], 'initial_files': [], 'mcpServers': {}, 'is_pinned': False, 'active_schedule_count': 0, 'agent_id':
                None, 'model_id': None, 'parallel_tool_calls': None, 'parent_session_id': None, 'started_at': None,
                'finished_at': None, 'created_at': '2026-11-29T18:00:00Z', 'updated_at': '2026-11-29T18:00:00Z', 'self_url':
                'http://127.0.0.1:8080/v1/sessions/session_01933b5a000070008000000000000001', 'view_url':
                'http://127.0.0.1:8080/chat/sessions/session_01933b5a000070008000000000000001', 'ui_link':
                'http://127.0.0.1:8080/chat/sessions/session_01933b5a000070008000000000000001', 'allowed_actions': [{'rel':
                'self', 'href': 'http://127.0.0.1:8080/v1/sessions/session_01933b5a000070008000000000000001', 'method': 'GET',
                'operation_id': 'get_session'}]}

        Attributes:
            created_at (datetime.datetime): Timestamp when the session was created. Example: 2026-05-25T10:00:00Z.
            harness_id (str): ID of the harness for this session (format: harness_{32-hex}). Example:
                harness_01933b5a000070008000000000000001.
            id (str): Unique identifier for the session (format: session_{32-hex}). Example:
                session_01933b5a000070008000000000000001.
            organization_id (str): Organization this session belongs to (format: org_{32-hex}). Example:
                org_00000000000000000000000000000001.
            owner_principal_id (str): Owning principal for this session. Example:
                principal_01933b5a000070008000000000000001.
            status (SessionStatus): Session execution status.
                - `started`: Session just created, no turn executed yet
                - `active`: A turn is currently running
                - `idle`: Turn completed, session waiting for next input
                - `paused`: Budget limit reached, waiting for user to increase limit or resume
            updated_at (datetime.datetime): Timestamp when the session was last updated. Example: 2026-05-25T10:14:32Z.
            workspace_id (str): Workspace this session is attached to (format: wsp_{32-hex}). Owns the
                session's virtual filesystem. For the default 1:1 case this mirrors the
                session id, but clients should read it here rather than deriving it.
                 Example: wsp_01933b5a000070008000000000000001.
            self_url (str): Full API endpoint URL for this resource. Example:
                http://127.0.0.1:8080/v1/sessions/session_01933b5a000070008000000000000001.
            ui_link (str): Alias for `view_url`, used by command and MCP outputs. Example:
                http://127.0.0.1:8080/chat/sessions/session_01933b5a000070008000000000000001.
            view_url (str): Full UI URL for viewing this resource. Example:
                http://127.0.0.1:8080/chat/sessions/session_01933b5a000070008000000000000001.
            active_schedule_count (int | None | Unset): Number of active (enabled) schedules for this session.
                Populated when the session is fetched for API responses.
                 Example: 2.
            agent_id (None | str | Unset): ID of the agent working in this session (format: agent_{32-hex}). Optional.
                Example: agent_01933b5a000070008000000000000001.
            agent_identity_id (None | str | Unset): Optional resident agent identity for unattended/background execution.
                Example: identity_01933b5a000070008000000000000001.
            agent_version_id (None | str | Unset): Immutable agent version captured when the session was created or rebound.
                Example: agentver_01933b5a000070008000000000000001.
            blueprint_config (None | SessionBlueprintConfigType0 | Unset): Validated config passed by host at blueprint
                spawn time.
                Example: `{"target_repo": "acme/everruns"}`.
            blueprint_id (None | str | Unset): Blueprint ID. When set, reason_activity and act_activity build RuntimeAgent
                from the blueprint definition instead of from harness_id/agent_id.
                 Example: blueprint_research_pack.
            capabilities (list[AgentCapabilityConfig] | Unset): Session-level capabilities (additive to agent capabilities).
                Applied after agent capabilities when building RuntimeAgent.
            effective_owner (None | PrincipalSummary | Unset): Effective human owner summary.
            features (list[str] | Unset): Aggregated UI features from all active capabilities (harness + agent + session).
                Computed at read time from the capability registry.
                Known features: "file_system", "schedules", "secrets", "key_value",
                "sql_database", "leased_resources".
                 Example: ['file_system', 'secrets'].
            finished_at (datetime.datetime | None | Unset): Timestamp when the session finished (completed or failed).
                Example: 2026-05-25T10:14:32Z.
            hints (None | SessionHintsType0 | Unset): Session-level client hints — arbitrary key-value pairs declared by the
                client at session creation time. These are defaults for every turn;
                per-message `controls.hints` override these key-by-key (shallow merge).

                Examples: `{"setup_connection": true, "rich_media": true}`
            initial_files (list[InitialFile] | Unset): Session-level initial files (additive to agent initial_files).
                Files with matching paths override agent/harness files; new paths are appended.
            is_pinned (bool | None | Unset): Whether this session is pinned by the current user.
                Only populated when the request has an authenticated user context.
                 Example: False.
            locale (None | str | Unset): Locale for localized agent behavior and formatting (BCP 47, e.g. `uk-UA`). Example:
                en-US.
            max_iterations (int | None | Unset): Maximum number of LLM iterations per turn for this session. Example: 50.
            mcp_servers (McpServers | Unset): Remote MCP server configurations keyed by server name.
            model_id (None | str | Unset): LLM model ID to use for this session (format: model_{32-hex}).
                Overrides the agent's default model if set.
                 Example: model_01933b5a000070008000000000000001.
            network_access (NetworkAccessList | None | Unset): Network access list controlling which hosts/URLs this session
                can reach.
                Merged with harness and agent layers (allowed: intersect, blocked: union).
            output_preview (None | str | Unset): Preview text from the last assistant response (truncated). Example: Here is
                a Q3 plan covering the three pillars we discussed....
            owner (None | PrincipalSummary | Unset): Owning principal summary.
            parallel_tool_calls (bool | None | Unset): Request-level parallel tool calling preference (EVE-598).

                `None` (default) preserves provider defaults. `Some(true)` signals the provider that parallel
                tool calls are wanted; `Some(false)` requests at most one tool call per turn and forces serial
                execution. Merged across harness/agent/session layers (overlay wins).
                 Example: True.
            parent_session_id (None | str | Unset): Parent session that spawned this subagent. NULL for top-level sessions.
                Used as the nesting guard in spawn_subagent. Example: session_01933b5a000070008000000000000002.
            preview (None | str | Unset): Preview text from the first user message (truncated). Example: Help me draft the
                Q3 marketing plan.
            resolved_owner_user_id (None | Unset | UUID): Denormalized effective human owner of the owning principal
                lineage. Example: 550e8400-e29b-41d4-a716-446655440000.
            started_at (datetime.datetime | None | Unset): Timestamp when the session started executing. Example:
                2026-05-25T10:00:01Z.
            subagent_name (None | str | Unset): Human-readable subagent name ("Test Runner"), unique per parent. Example:
                Test Runner.
            subagent_status (None | SubagentStatus | Unset): Subagent lifecycle status: spawning, running, completed,
                failed, cancelled.
            subagent_task (None | str | Unset): Original task description given to this subagent. Example: Run the
                integration test suite and report failures..
            system_prompt (None | str | Unset): Session-level system prompt override.
                Prepended to the agent's system prompt when building RuntimeAgent.
            tags (list[str] | Unset): Tags for organizing and filtering sessions. Example: ['marketing', 'q3', 'draft'].
            title (None | str | Unset): Human-readable title for the session. Example: Q3 marketing brief.
            tools (list[BuiltinToolDefinition | ClientSideToolDefinition] | Unset): Client-side tools for this session
                (additive to agent tools).
            usage (None | TokenUsage | Unset): Cumulative token usage for all LLM calls in this session.
            allowed_actions (list[AllowedAction] | Unset): State-aware hypermedia actions the caller can take on this
                resource
                next (e.g. `cancel`, `events`, `update`). Omitted from the wire
                shape when empty so resources that haven't opted into the
                convention don't grow their payloads.
    """

    created_at: datetime.datetime
    harness_id: str
    id: str
    organization_id: str
    owner_principal_id: str
    status: SessionStatus
    updated_at: datetime.datetime
    workspace_id: str
    self_url: str
    ui_link: str
    view_url: str
    active_schedule_count: int | None | Unset = UNSET
    agent_id: None | str | Unset = UNSET
    agent_identity_id: None | str | Unset = UNSET
    agent_version_id: None | str | Unset = UNSET
    blueprint_config: None | SessionBlueprintConfigType0 | Unset = UNSET
    blueprint_id: None | str | Unset = UNSET
    capabilities: list[AgentCapabilityConfig] | Unset = UNSET
    effective_owner: None | PrincipalSummary | Unset = UNSET
    features: list[str] | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    hints: None | SessionHintsType0 | Unset = UNSET
    initial_files: list[InitialFile] | Unset = UNSET
    is_pinned: bool | None | Unset = UNSET
    locale: None | str | Unset = UNSET
    max_iterations: int | None | Unset = UNSET
    mcp_servers: McpServers | Unset = UNSET
    model_id: None | str | Unset = UNSET
    network_access: NetworkAccessList | None | Unset = UNSET
    output_preview: None | str | Unset = UNSET
    owner: None | PrincipalSummary | Unset = UNSET
    parallel_tool_calls: bool | None | Unset = UNSET
    parent_session_id: None | str | Unset = UNSET
    preview: None | str | Unset = UNSET
    resolved_owner_user_id: None | Unset | UUID = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    subagent_name: None | str | Unset = UNSET
    subagent_status: None | SubagentStatus | Unset = UNSET
    subagent_task: None | str | Unset = UNSET
    system_prompt: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    title: None | str | Unset = UNSET
    tools: list[BuiltinToolDefinition | ClientSideToolDefinition] | Unset = UNSET
    usage: None | TokenUsage | Unset = UNSET
    allowed_actions: list[AllowedAction] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.builtin_tool_definition import BuiltinToolDefinition  # noqa: PLC0415
        from ..models.network_access_list import NetworkAccessList  # noqa: PLC0415
        from ..models.principal_summary import PrincipalSummary  # noqa: PLC0415
        from ..models.session_blueprint_config_type_0 import SessionBlueprintConfigType0  # noqa: PLC0415
        from ..models.session_hints_type_0 import SessionHintsType0  # noqa: PLC0415
        from ..models.token_usage import TokenUsage  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        harness_id = self.harness_id

        id = self.id

        organization_id = self.organization_id

        owner_principal_id = self.owner_principal_id

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        workspace_id = self.workspace_id

        self_url = self.self_url

        ui_link = self.ui_link

        view_url = self.view_url

        active_schedule_count: int | None | Unset
        if isinstance(self.active_schedule_count, Unset):
            active_schedule_count = UNSET
        else:
            active_schedule_count = self.active_schedule_count

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        agent_identity_id: None | str | Unset
        if isinstance(self.agent_identity_id, Unset):
            agent_identity_id = UNSET
        else:
            agent_identity_id = self.agent_identity_id

        agent_version_id: None | str | Unset
        if isinstance(self.agent_version_id, Unset):
            agent_version_id = UNSET
        else:
            agent_version_id = self.agent_version_id

        blueprint_config: dict[str, Any] | None | Unset
        if isinstance(self.blueprint_config, Unset):
            blueprint_config = UNSET
        elif isinstance(self.blueprint_config, SessionBlueprintConfigType0):
            blueprint_config = self.blueprint_config.to_dict()
        else:
            blueprint_config = self.blueprint_config

        blueprint_id: None | str | Unset
        if isinstance(self.blueprint_id, Unset):
            blueprint_id = UNSET
        else:
            blueprint_id = self.blueprint_id

        capabilities: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.capabilities, Unset):
            capabilities = []
            for capabilities_item_data in self.capabilities:
                capabilities_item = capabilities_item_data.to_dict()
                capabilities.append(capabilities_item)

        effective_owner: dict[str, Any] | None | Unset
        if isinstance(self.effective_owner, Unset):
            effective_owner = UNSET
        elif isinstance(self.effective_owner, PrincipalSummary):
            effective_owner = self.effective_owner.to_dict()
        else:
            effective_owner = self.effective_owner

        features: list[str] | Unset = UNSET
        if not isinstance(self.features, Unset):
            features = self.features

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        hints: dict[str, Any] | None | Unset
        if isinstance(self.hints, Unset):
            hints = UNSET
        elif isinstance(self.hints, SessionHintsType0):
            hints = self.hints.to_dict()
        else:
            hints = self.hints

        initial_files: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.initial_files, Unset):
            initial_files = []
            for initial_files_item_data in self.initial_files:
                initial_files_item = initial_files_item_data.to_dict()
                initial_files.append(initial_files_item)

        is_pinned: bool | None | Unset
        if isinstance(self.is_pinned, Unset):
            is_pinned = UNSET
        else:
            is_pinned = self.is_pinned

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        else:
            locale = self.locale

        max_iterations: int | None | Unset
        if isinstance(self.max_iterations, Unset):
            max_iterations = UNSET
        else:
            max_iterations = self.max_iterations

        mcp_servers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.mcp_servers, Unset):
            mcp_servers = self.mcp_servers.to_dict()

        model_id: None | str | Unset
        if isinstance(self.model_id, Unset):
            model_id = UNSET
        else:
            model_id = self.model_id

        network_access: dict[str, Any] | None | Unset
        if isinstance(self.network_access, Unset):
            network_access = UNSET
        elif isinstance(self.network_access, NetworkAccessList):
            network_access = self.network_access.to_dict()
        else:
            network_access = self.network_access

        output_preview: None | str | Unset
        if isinstance(self.output_preview, Unset):
            output_preview = UNSET
        else:
            output_preview = self.output_preview

        owner: dict[str, Any] | None | Unset
        if isinstance(self.owner, Unset):
            owner = UNSET
        elif isinstance(self.owner, PrincipalSummary):
            owner = self.owner.to_dict()
        else:
            owner = self.owner

        parallel_tool_calls: bool | None | Unset
        if isinstance(self.parallel_tool_calls, Unset):
            parallel_tool_calls = UNSET
        else:
            parallel_tool_calls = self.parallel_tool_calls

        parent_session_id: None | str | Unset
        if isinstance(self.parent_session_id, Unset):
            parent_session_id = UNSET
        else:
            parent_session_id = self.parent_session_id

        preview: None | str | Unset
        if isinstance(self.preview, Unset):
            preview = UNSET
        else:
            preview = self.preview

        resolved_owner_user_id: None | str | Unset
        if isinstance(self.resolved_owner_user_id, Unset):
            resolved_owner_user_id = UNSET
        elif isinstance(self.resolved_owner_user_id, UUID):
            resolved_owner_user_id = str(self.resolved_owner_user_id)
        else:
            resolved_owner_user_id = self.resolved_owner_user_id

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        subagent_name: None | str | Unset
        if isinstance(self.subagent_name, Unset):
            subagent_name = UNSET
        else:
            subagent_name = self.subagent_name

        subagent_status: None | str | Unset
        if isinstance(self.subagent_status, Unset):
            subagent_status = UNSET
        elif isinstance(self.subagent_status, SubagentStatus):
            subagent_status = self.subagent_status.value
        else:
            subagent_status = self.subagent_status

        subagent_task: None | str | Unset
        if isinstance(self.subagent_task, Unset):
            subagent_task = UNSET
        else:
            subagent_task = self.subagent_task

        system_prompt: None | str | Unset
        if isinstance(self.system_prompt, Unset):
            system_prompt = UNSET
        else:
            system_prompt = self.system_prompt

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        tools: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tools, Unset):
            tools = []
            for tools_item_data in self.tools:
                tools_item: dict[str, Any]
                if isinstance(tools_item_data, BuiltinToolDefinition):
                    tools_item = tools_item_data.to_dict()
                else:
                    tools_item = tools_item_data.to_dict()

                tools.append(tools_item)

        usage: dict[str, Any] | None | Unset
        if isinstance(self.usage, Unset):
            usage = UNSET
        elif isinstance(self.usage, TokenUsage):
            usage = self.usage.to_dict()
        else:
            usage = self.usage

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
                "created_at": created_at,
                "harness_id": harness_id,
                "id": id,
                "organization_id": organization_id,
                "owner_principal_id": owner_principal_id,
                "status": status,
                "updated_at": updated_at,
                "workspace_id": workspace_id,
                "self_url": self_url,
                "ui_link": ui_link,
                "view_url": view_url,
            }
        )
        if active_schedule_count is not UNSET:
            field_dict["active_schedule_count"] = active_schedule_count
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_identity_id is not UNSET:
            field_dict["agent_identity_id"] = agent_identity_id
        if agent_version_id is not UNSET:
            field_dict["agent_version_id"] = agent_version_id
        if blueprint_config is not UNSET:
            field_dict["blueprint_config"] = blueprint_config
        if blueprint_id is not UNSET:
            field_dict["blueprint_id"] = blueprint_id
        if capabilities is not UNSET:
            field_dict["capabilities"] = capabilities
        if effective_owner is not UNSET:
            field_dict["effective_owner"] = effective_owner
        if features is not UNSET:
            field_dict["features"] = features
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if hints is not UNSET:
            field_dict["hints"] = hints
        if initial_files is not UNSET:
            field_dict["initial_files"] = initial_files
        if is_pinned is not UNSET:
            field_dict["is_pinned"] = is_pinned
        if locale is not UNSET:
            field_dict["locale"] = locale
        if max_iterations is not UNSET:
            field_dict["max_iterations"] = max_iterations
        if mcp_servers is not UNSET:
            field_dict["mcpServers"] = mcp_servers
        if model_id is not UNSET:
            field_dict["model_id"] = model_id
        if network_access is not UNSET:
            field_dict["network_access"] = network_access
        if output_preview is not UNSET:
            field_dict["output_preview"] = output_preview
        if owner is not UNSET:
            field_dict["owner"] = owner
        if parallel_tool_calls is not UNSET:
            field_dict["parallel_tool_calls"] = parallel_tool_calls
        if parent_session_id is not UNSET:
            field_dict["parent_session_id"] = parent_session_id
        if preview is not UNSET:
            field_dict["preview"] = preview
        if resolved_owner_user_id is not UNSET:
            field_dict["resolved_owner_user_id"] = resolved_owner_user_id
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if subagent_name is not UNSET:
            field_dict["subagent_name"] = subagent_name
        if subagent_status is not UNSET:
            field_dict["subagent_status"] = subagent_status
        if subagent_task is not UNSET:
            field_dict["subagent_task"] = subagent_task
        if system_prompt is not UNSET:
            field_dict["system_prompt"] = system_prompt
        if tags is not UNSET:
            field_dict["tags"] = tags
        if title is not UNSET:
            field_dict["title"] = title
        if tools is not UNSET:
            field_dict["tools"] = tools
        if usage is not UNSET:
            field_dict["usage"] = usage
        if allowed_actions is not UNSET:
            field_dict["allowed_actions"] = allowed_actions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_capability_config import AgentCapabilityConfig  # noqa: PLC0415
        from ..models.allowed_action import AllowedAction  # noqa: PLC0415
        from ..models.builtin_tool_definition import BuiltinToolDefinition  # noqa: PLC0415
        from ..models.client_side_tool_definition import ClientSideToolDefinition  # noqa: PLC0415
        from ..models.initial_file import InitialFile  # noqa: PLC0415
        from ..models.mcp_servers import McpServers  # noqa: PLC0415
        from ..models.network_access_list import NetworkAccessList  # noqa: PLC0415
        from ..models.principal_summary import PrincipalSummary  # noqa: PLC0415
        from ..models.session_blueprint_config_type_0 import SessionBlueprintConfigType0  # noqa: PLC0415
        from ..models.session_hints_type_0 import SessionHintsType0  # noqa: PLC0415
        from ..models.token_usage import TokenUsage  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        harness_id = d.pop("harness_id")

        id = d.pop("id")

        organization_id = d.pop("organization_id")

        owner_principal_id = d.pop("owner_principal_id")

        status = SessionStatus(d.pop("status"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        workspace_id = d.pop("workspace_id")

        self_url = d.pop("self_url")

        ui_link = d.pop("ui_link")

        view_url = d.pop("view_url")

        def _parse_active_schedule_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        active_schedule_count = _parse_active_schedule_count(d.pop("active_schedule_count", UNSET))

        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))

        def _parse_agent_identity_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_identity_id = _parse_agent_identity_id(d.pop("agent_identity_id", UNSET))

        def _parse_agent_version_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_version_id = _parse_agent_version_id(d.pop("agent_version_id", UNSET))

        def _parse_blueprint_config(data: object) -> None | SessionBlueprintConfigType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                blueprint_config_type_0 = SessionBlueprintConfigType0.from_dict(data)

                return blueprint_config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SessionBlueprintConfigType0 | Unset, data)

        blueprint_config = _parse_blueprint_config(d.pop("blueprint_config", UNSET))

        def _parse_blueprint_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        blueprint_id = _parse_blueprint_id(d.pop("blueprint_id", UNSET))

        _capabilities = d.pop("capabilities", UNSET)
        capabilities: list[AgentCapabilityConfig] | Unset = UNSET
        if _capabilities is not UNSET:
            capabilities = []
            for capabilities_item_data in _capabilities:
                capabilities_item = AgentCapabilityConfig.from_dict(capabilities_item_data)

                capabilities.append(capabilities_item)

        def _parse_effective_owner(data: object) -> None | PrincipalSummary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                effective_owner_type_0 = PrincipalSummary.from_dict(data)

                return effective_owner_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PrincipalSummary | Unset, data)

        effective_owner = _parse_effective_owner(d.pop("effective_owner", UNSET))

        features = cast(list[str], d.pop("features", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        def _parse_hints(data: object) -> None | SessionHintsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hints_type_0 = SessionHintsType0.from_dict(data)

                return hints_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SessionHintsType0 | Unset, data)

        hints = _parse_hints(d.pop("hints", UNSET))

        _initial_files = d.pop("initial_files", UNSET)
        initial_files: list[InitialFile] | Unset = UNSET
        if _initial_files is not UNSET:
            initial_files = []
            for initial_files_item_data in _initial_files:
                initial_files_item = InitialFile.from_dict(initial_files_item_data)

                initial_files.append(initial_files_item)

        def _parse_is_pinned(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is_pinned = _parse_is_pinned(d.pop("is_pinned", UNSET))

        def _parse_locale(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locale = _parse_locale(d.pop("locale", UNSET))

        def _parse_max_iterations(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_iterations = _parse_max_iterations(d.pop("max_iterations", UNSET))

        _mcp_servers = d.pop("mcpServers", UNSET)
        mcp_servers: McpServers | Unset
        if isinstance(_mcp_servers, Unset):
            mcp_servers = UNSET
        else:
            mcp_servers = McpServers.from_dict(_mcp_servers)

        def _parse_model_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_id = _parse_model_id(d.pop("model_id", UNSET))

        def _parse_network_access(data: object) -> NetworkAccessList | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                network_access_type_0 = NetworkAccessList.from_dict(data)

                return network_access_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NetworkAccessList | None | Unset, data)

        network_access = _parse_network_access(d.pop("network_access", UNSET))

        def _parse_output_preview(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        output_preview = _parse_output_preview(d.pop("output_preview", UNSET))

        def _parse_owner(data: object) -> None | PrincipalSummary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                owner_type_0 = PrincipalSummary.from_dict(data)

                return owner_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PrincipalSummary | Unset, data)

        owner = _parse_owner(d.pop("owner", UNSET))

        def _parse_parallel_tool_calls(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        parallel_tool_calls = _parse_parallel_tool_calls(d.pop("parallel_tool_calls", UNSET))

        def _parse_parent_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_session_id = _parse_parent_session_id(d.pop("parent_session_id", UNSET))

        def _parse_preview(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preview = _parse_preview(d.pop("preview", UNSET))

        def _parse_resolved_owner_user_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_owner_user_id_type_0 = UUID(data)

                return resolved_owner_user_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        resolved_owner_user_id = _parse_resolved_owner_user_id(d.pop("resolved_owner_user_id", UNSET))

        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))

        def _parse_subagent_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subagent_name = _parse_subagent_name(d.pop("subagent_name", UNSET))

        def _parse_subagent_status(data: object) -> None | SubagentStatus | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                subagent_status_type_0 = SubagentStatus(data)

                return subagent_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubagentStatus | Unset, data)

        subagent_status = _parse_subagent_status(d.pop("subagent_status", UNSET))

        def _parse_subagent_task(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subagent_task = _parse_subagent_task(d.pop("subagent_task", UNSET))

        def _parse_system_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        system_prompt = _parse_system_prompt(d.pop("system_prompt", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        _tools = d.pop("tools", UNSET)
        tools: list[BuiltinToolDefinition | ClientSideToolDefinition] | Unset = UNSET
        if _tools is not UNSET:
            tools = []
            for tools_item_data in _tools:

                def _parse_tools_item(data: object) -> BuiltinToolDefinition | ClientSideToolDefinition:
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_tool_definition_type_0 = BuiltinToolDefinition.from_dict(data)

                        return componentsschemas_tool_definition_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_tool_definition_type_1 = ClientSideToolDefinition.from_dict(data)

                    return componentsschemas_tool_definition_type_1

                tools_item = _parse_tools_item(tools_item_data)

                tools.append(tools_item)

        def _parse_usage(data: object) -> None | TokenUsage | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                usage_type_0 = TokenUsage.from_dict(data)

                return usage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TokenUsage | Unset, data)

        usage = _parse_usage(d.pop("usage", UNSET))

        _allowed_actions = d.pop("allowed_actions", UNSET)
        allowed_actions: list[AllowedAction] | Unset = UNSET
        if _allowed_actions is not UNSET:
            allowed_actions = []
            for allowed_actions_item_data in _allowed_actions:
                allowed_actions_item = AllowedAction.from_dict(allowed_actions_item_data)

                allowed_actions.append(allowed_actions_item)

        with_urls_session = cls(
            created_at=created_at,
            harness_id=harness_id,
            id=id,
            organization_id=organization_id,
            owner_principal_id=owner_principal_id,
            status=status,
            updated_at=updated_at,
            workspace_id=workspace_id,
            self_url=self_url,
            ui_link=ui_link,
            view_url=view_url,
            active_schedule_count=active_schedule_count,
            agent_id=agent_id,
            agent_identity_id=agent_identity_id,
            agent_version_id=agent_version_id,
            blueprint_config=blueprint_config,
            blueprint_id=blueprint_id,
            capabilities=capabilities,
            effective_owner=effective_owner,
            features=features,
            finished_at=finished_at,
            hints=hints,
            initial_files=initial_files,
            is_pinned=is_pinned,
            locale=locale,
            max_iterations=max_iterations,
            mcp_servers=mcp_servers,
            model_id=model_id,
            network_access=network_access,
            output_preview=output_preview,
            owner=owner,
            parallel_tool_calls=parallel_tool_calls,
            parent_session_id=parent_session_id,
            preview=preview,
            resolved_owner_user_id=resolved_owner_user_id,
            started_at=started_at,
            subagent_name=subagent_name,
            subagent_status=subagent_status,
            subagent_task=subagent_task,
            system_prompt=system_prompt,
            tags=tags,
            title=title,
            tools=tools,
            usage=usage,
            allowed_actions=allowed_actions,
        )

        with_urls_session.additional_properties = d
        return with_urls_session

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
