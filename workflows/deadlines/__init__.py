"""Deadlines: Vietnam's working-day calendar, due times from the BPMN, and the ladder of reminders and
escalations that the scheduler's sweeps raise and the inboxes show."""

from __future__ import annotations

from .alerts import (
    AlertView,
    acknowledge_escalation,
    alerts_for,
    alerts_of_instance,
    count_open_escalations,
    escalations_for,
    extend_deadline,
    get_alert,
    reminders_for,
)
from .calendar import END_OF_WORKING_DAY, VIETNAM, WorkingCalendar, local_date
from .calendar_days import (
    CalendarDayView,
    CalendarSource,
    add_calendar_day,
    list_calendar_days,
    remove_calendar_day,
)
from .ladder import LADDERS, Ladder, LadderBook
from .rules import before_day, check_due_rule, due_from_rule
from .sweep import DeadlineSweep, plan_task_now, sweep_deadlines
from .wiring import Deadlines, deadlines_of, install

__all__ = [
    "END_OF_WORKING_DAY",
    "LADDERS",
    "VIETNAM",
    "AlertView",
    "CalendarDayView",
    "CalendarSource",
    "DeadlineSweep",
    "Deadlines",
    "Ladder",
    "LadderBook",
    "WorkingCalendar",
    "acknowledge_escalation",
    "add_calendar_day",
    "alerts_for",
    "alerts_of_instance",
    "before_day",
    "check_due_rule",
    "count_open_escalations",
    "deadlines_of",
    "due_from_rule",
    "escalations_for",
    "extend_deadline",
    "get_alert",
    "install",
    "list_calendar_days",
    "local_date",
    "plan_task_now",
    "reminders_for",
    "remove_calendar_day",
    "sweep_deadlines",
]
