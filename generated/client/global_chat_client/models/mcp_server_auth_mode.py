from enum import StrEnum


class McpServerAuthMode(StrEnum):
    API_KEY = "api_key"
    NONE = "none"
    O_AUTH = "o_auth"

    def __str__(self) -> str:
        return str(self.value)
