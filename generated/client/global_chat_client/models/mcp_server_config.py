from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mcp_server_auth_mode import McpServerAuthMode
from ..models.mcp_server_transport_type import McpServerTransportType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.mcp_server_config_env import McpServerConfigEnv
    from ..models.mcp_server_config_headers import McpServerConfigHeaders


T = TypeVar("T", bound="McpServerConfig")


@_attrs_define
class McpServerConfig:
    """Session-, agent-, or harness-scoped remote MCP server configuration.

    This intentionally mirrors the `mcpServers` object shape used by common MCP
    client config files while staying within Everruns' current remote-HTTP-only
    support.

        Attributes:
            args (list[str] | Unset): Arguments passed to the stdio `command`.
            auth_mode (McpServerAuthMode | Unset): MCP server authentication mode. Example: api_key.
            command (None | str | Unset): Executable to spawn for a stdio transport server.
            env (McpServerConfigEnv | Unset): Environment variables set for the stdio `command`.
            headers (McpServerConfigHeaders | Unset): Additional HTTP headers sent on MCP requests (HTTP transport only).
            oauth_provider_id (None | str | Unset): Provider id used to resolve a user-scoped bearer token.
            tool_discovery (bool | Unset): Whether to discover tool definitions live from this server.
            type_ (McpServerTransportType | Unset): MCP Server transport type. Example: http.
            url (str | Unset): URL of the remote MCP server endpoint. Required for HTTP transport;
                empty/ignored for stdio.
    """

    args: list[str] | Unset = UNSET
    auth_mode: McpServerAuthMode | Unset = UNSET
    command: None | str | Unset = UNSET
    env: McpServerConfigEnv | Unset = UNSET
    headers: McpServerConfigHeaders | Unset = UNSET
    oauth_provider_id: None | str | Unset = UNSET
    tool_discovery: bool | Unset = UNSET
    type_: McpServerTransportType | Unset = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        args: list[str] | Unset = UNSET
        if not isinstance(self.args, Unset):
            args = self.args

        auth_mode: str | Unset = UNSET
        if not isinstance(self.auth_mode, Unset):
            auth_mode = self.auth_mode.value

        command: None | str | Unset
        if isinstance(self.command, Unset):
            command = UNSET
        else:
            command = self.command

        env: dict[str, Any] | Unset = UNSET
        if not isinstance(self.env, Unset):
            env = self.env.to_dict()

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        oauth_provider_id: None | str | Unset
        if isinstance(self.oauth_provider_id, Unset):
            oauth_provider_id = UNSET
        else:
            oauth_provider_id = self.oauth_provider_id

        tool_discovery = self.tool_discovery

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if args is not UNSET:
            field_dict["args"] = args
        if auth_mode is not UNSET:
            field_dict["auth_mode"] = auth_mode
        if command is not UNSET:
            field_dict["command"] = command
        if env is not UNSET:
            field_dict["env"] = env
        if headers is not UNSET:
            field_dict["headers"] = headers
        if oauth_provider_id is not UNSET:
            field_dict["oauth_provider_id"] = oauth_provider_id
        if tool_discovery is not UNSET:
            field_dict["tool_discovery"] = tool_discovery
        if type_ is not UNSET:
            field_dict["type"] = type_
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mcp_server_config_env import McpServerConfigEnv  # noqa: PLC0415
        from ..models.mcp_server_config_headers import McpServerConfigHeaders  # noqa: PLC0415

        d = dict(src_dict)
        args = cast(list[str], d.pop("args", UNSET))

        _auth_mode = d.pop("auth_mode", UNSET)
        auth_mode: McpServerAuthMode | Unset
        if isinstance(_auth_mode, Unset):
            auth_mode = UNSET
        else:
            auth_mode = McpServerAuthMode(_auth_mode)

        def _parse_command(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        command = _parse_command(d.pop("command", UNSET))

        _env = d.pop("env", UNSET)
        env: McpServerConfigEnv | Unset
        if isinstance(_env, Unset):
            env = UNSET
        else:
            env = McpServerConfigEnv.from_dict(_env)

        _headers = d.pop("headers", UNSET)
        headers: McpServerConfigHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = McpServerConfigHeaders.from_dict(_headers)

        def _parse_oauth_provider_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        oauth_provider_id = _parse_oauth_provider_id(d.pop("oauth_provider_id", UNSET))

        tool_discovery = d.pop("tool_discovery", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: McpServerTransportType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = McpServerTransportType(_type_)

        url = d.pop("url", UNSET)

        mcp_server_config = cls(
            args=args,
            auth_mode=auth_mode,
            command=command,
            env=env,
            headers=headers,
            oauth_provider_id=oauth_provider_id,
            tool_discovery=tool_discovery,
            type_=type_,
            url=url,
        )

        mcp_server_config.additional_properties = d
        return mcp_server_config

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
