"""The engine's one error hierarchy; the web layer maps it to HTTP codes in one place."""

from __future__ import annotations

from dataclasses import dataclass, field


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class NotFound(EngineError):
    """The process, instance or task does not exist (or is not visible)."""


class NotReady(EngineError):
    """The task exists but cannot be acted on now (not ready, already done)."""


class Busy(EngineError):
    """The database stayed locked by another writer for longer than the wait allowed; try again."""


class Conflict(EngineError):
    """Someone else changed the instance first; reload and try again. ``holder``: the user who holds the
    task, when that is the conflict (pages say who without reading it out of the message)."""

    def __init__(self, message: str = "", *, holder: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, element) and what."""

    message: str
    file: str | None = None
    element: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"element {self.element}" if self.element else None,
                f"line {self.line}" if self.line else None,
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ValidationError(EngineError):
    """Bad input, with one Problem per thing wrong."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, message: str, **where: object) -> ValidationError:
        return cls([Problem(message, **where)])  # type: ignore[arg-type]


class UnsafeExpression(ValidationError):
    """An expression or script uses something the restricted evaluator refuses."""


class ServiceError(EngineError):
    """A service-task handler failed; the instance stays at its last wait state."""


class CodeUnderLock(EngineError):
    """Process code was about to run under the write lock (see ``engine.inert``): the step fails whole
    rather than run it there."""
