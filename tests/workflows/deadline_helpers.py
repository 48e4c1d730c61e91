"""Moving a province's clock forward hour by hour with the deadline sweep running, as the scheduler
would, and reading back what it raised in Vietnamese wall-clock terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.workflows.conftest import Province
from workflows.deadlines import VIETNAM, alerts_of_instance, sweep_deadlines


def vn(*args) -> datetime:
    """A Vietnamese wall-clock moment, in UTC."""
    return datetime(*args, tzinfo=VIETNAM).astimezone(UTC)


def local(moment: datetime | None) -> tuple | None:
    if moment is None:
        return None
    at = moment.astimezone(VIETNAM)
    return (at.year, at.month, at.day, at.hour)


class Sweeper:
    """The scheduler's deadline job, run on the province's clock."""

    def __init__(self, province: Province) -> None:
        self.province = province
        self.ctx = province.fresh()
        self.sweeps = 0

    def run_until(self, moment: datetime, step: timedelta = timedelta(hours=1)) -> None:
        clock = self.province.clock
        while clock.now < moment:
            clock.now = min(clock.now + step, moment)
            sweep_deadlines(self.ctx)
            self.sweeps += 1

    def alerts(self, instance_id: int) -> list[tuple]:
        """(step, kind, level, agency, scheduled, raised, close reason), hours in Vietnam time."""
        with self.ctx.db.read() as session:
            return [
                (
                    a.bpmn_id,
                    a.kind,
                    a.level,
                    a.agency_code,
                    local(a.scheduled_at),
                    local(a.raised_at),
                    a.close_reason,
                )
                for a in alerts_of_instance(session, instance_id)
            ]
