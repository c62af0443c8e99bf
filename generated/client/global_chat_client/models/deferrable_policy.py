from enum import StrEnum


class DeferrablePolicy(StrEnum):
    ALWAYS = "always"
    AUTOMATIC = "automatic"
    NEVER = "never"

    def __str__(self) -> str:
        return str(self.value)
