from enum import StrEnum


class ClientSideToolDefinitionType(StrEnum):
    CLIENT_SIDE = "client_side"

    def __str__(self) -> str:
        return str(self.value)
