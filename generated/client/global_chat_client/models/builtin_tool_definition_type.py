from enum import StrEnum


class BuiltinToolDefinitionType(StrEnum):
    BUILTIN = "builtin"

    def __str__(self) -> str:
        return str(self.value)
