"""Contains all the data models used in inputs/outputs"""

from .agent_capability_config import AgentCapabilityConfig
from .allowed_action import AllowedAction
from .api_catalog import ApiCatalog
from .builtin_tool import BuiltinTool
from .builtin_tool_definition import BuiltinToolDefinition
from .builtin_tool_definition_type import BuiltinToolDefinitionType
from .client_side_tool import ClientSideTool
from .client_side_tool_definition import ClientSideToolDefinition
from .client_side_tool_definition_type import ClientSideToolDefinitionType
from .conditional_error_code import ConditionalErrorCode
from .deferrable_policy import DeferrablePolicy
from .error_code import ErrorCode
from .error_response import ErrorResponse
from .get_or_create_chat_session_request import GetOrCreateChatSessionRequest
from .initial_file import InitialFile
from .link_context import LinkContext
from .link_target import LinkTarget
from .mcp_server_auth_mode import McpServerAuthMode
from .mcp_server_config import McpServerConfig
from .mcp_server_config_env import McpServerConfigEnv
from .mcp_server_config_headers import McpServerConfigHeaders
from .mcp_server_transport_type import McpServerTransportType
from .mcp_servers import McpServers
from .network_access_list import NetworkAccessList
from .precondition_failed_response import PreconditionFailedResponse
from .principal_kind import PrincipalKind
from .principal_summary import PrincipalSummary
from .problem_details import ProblemDetails
from .session import Session
from .session_blueprint_config_type_0 import SessionBlueprintConfigType0
from .session_hints_type_0 import SessionHintsType0
from .session_status import SessionStatus
from .side_effect_class import SideEffectClass
from .subagent_status import SubagentStatus
from .token_usage import TokenUsage
from .tool_hints import ToolHints
from .tool_policy import ToolPolicy
from .update_session_request import UpdateSessionRequest
from .with_urls_session import WithUrlsSession

__all__ = (
    "AgentCapabilityConfig",
    "AllowedAction",
    "ApiCatalog",
    "BuiltinTool",
    "BuiltinToolDefinition",
    "BuiltinToolDefinitionType",
    "ClientSideTool",
    "ClientSideToolDefinition",
    "ClientSideToolDefinitionType",
    "ConditionalErrorCode",
    "DeferrablePolicy",
    "ErrorCode",
    "ErrorResponse",
    "GetOrCreateChatSessionRequest",
    "InitialFile",
    "LinkContext",
    "LinkTarget",
    "McpServerAuthMode",
    "McpServerConfig",
    "McpServerConfigEnv",
    "McpServerConfigHeaders",
    "McpServers",
    "McpServerTransportType",
    "NetworkAccessList",
    "PreconditionFailedResponse",
    "PrincipalKind",
    "PrincipalSummary",
    "ProblemDetails",
    "Session",
    "SessionBlueprintConfigType0",
    "SessionHintsType0",
    "SessionStatus",
    "SideEffectClass",
    "SubagentStatus",
    "TokenUsage",
    "ToolHints",
    "ToolPolicy",
    "UpdateSessionRequest",
    "WithUrlsSession",
)
