from enum import StrEnum


class SessionStatus(StrEnum):
    ACTIVE = "active"
    IDLE = "idle"
    PAUSED = "paused"
    STARTED = "started"
    WAITINGFORTOOLRESULTS = "waitingfortoolresults"

    def __str__(self) -> str:
        return str(self.value)
