from enum import StrEnum


class PrincipalKind(StrEnum):
    AGENT_IDENTITY = "agent_identity"
    SYSTEM = "system"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
