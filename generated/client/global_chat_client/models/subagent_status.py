from enum import StrEnum


class SubagentStatus(StrEnum):
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    FAILED = "failed"
    MAX_ITERATIONS_REACHED = "max_iterations_reached"
    RUNNING = "running"
    SPAWNING = "spawning"

    def __str__(self) -> str:
        return str(self.value)
