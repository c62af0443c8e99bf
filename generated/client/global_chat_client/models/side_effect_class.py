from enum import StrEnum


class SideEffectClass(StrEnum):
    ATMOSTONCE = "AtMostOnce"
    IDEMPOTENT = "Idempotent"
    PURE = "Pure"

    def __str__(self) -> str:
        return str(self.value)
