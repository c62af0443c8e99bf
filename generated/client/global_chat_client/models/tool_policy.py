from enum import StrEnum


class ToolPolicy(StrEnum):
    AUTO = "auto"
    CLIENT_SIDE = "client_side"
    REQUIRES_APPROVAL = "requires_approval"

    def __str__(self) -> str:
        return str(self.value)
