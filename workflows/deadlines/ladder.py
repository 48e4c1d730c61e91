"""The escalation ladder: what happens around a deadline, configurable per step.

Defaults: one reminder to the assigned agency 1 working day before the deadline; at the deadline the
task is overdue (a notice to the assigned agency) and escalates to its supervising agency; every 3
working days after that it climbs one more level, up to the top of the supervision chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .calendar import WorkingCalendar


@dataclass(frozen=True)
class Ladder:
    remind_before: tuple[int, ...] = (1,)  # working days before due, one reminder each
    climb_every: int = 3  # working days between two escalation levels
    max_levels: int | None = None  # None: up to the top of the supervision chain

    def __post_init__(self) -> None:
        if self.climb_every < 1 or any(n < 1 for n in self.remind_before):
            raise ValueError("reminders and climbs are at least one working day apart")


@dataclass(frozen=True)
class PlannedAlert:
    at: datetime
    kind: str  # reminder | overdue | escalation
    step: int  # working days before due (reminder); level (escalation); 0 (overdue)


def plan(ladder: Ladder, due_at: datetime, calendar: WorkingCalendar, levels: int) -> list[PlannedAlert]:
    """Every alert of one deadline, in time order. ``levels`` is how many agencies there are above the
    assigned one; the ladder stops at the top, or at ``max_levels``."""
    if ladder.max_levels is not None:
        levels = min(levels, ladder.max_levels)
    alerts = [PlannedAlert(calendar.shift(due_at, -n), "reminder", n) for n in ladder.remind_before]
    alerts.append(PlannedAlert(due_at, "overdue", 0))
    alerts += [
        PlannedAlert(calendar.shift(due_at, (level - 1) * ladder.climb_every), "escalation", level)
        for level in range(1, levels + 1)
    ]
    return sorted(alerts, key=lambda a: (a.at, a.kind != "reminder", a.kind == "escalation", a.step))


@dataclass(frozen=True)
class LadderBook:
    """Ladders by step: a task's BPMN id first, then its form key, else the default."""

    default: Ladder = field(default_factory=Ladder)
    by_step: Mapping[str, Ladder] = field(default_factory=dict)

    def for_task(self, bpmn_id: str, form_key: str | None) -> Ladder:
        return self.by_step.get(bpmn_id) or (form_key and self.by_step.get(form_key)) or self.default


# The product's ladders: the CCCD is issued over three weeks, so the police hear about it a week
# ahead as well as the day before.
LADDERS = LadderBook(by_step={"issue_cccd": Ladder(remind_before=(5, 1))})
