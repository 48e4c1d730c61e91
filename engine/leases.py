"""What keeps two scheduler processes from doing the same work, kept in the database.

A lease names one active scheduler: it is taken or renewed by a conditional UPDATE (held by me, or
expired) and lapses by itself if its holder dies. A run claim makes a job happen once per period (a
month's payout cycles): its primary key is (job, period), so a second claim fails; a claim whose
holder died without finishing can be taken over once it is stale.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .db import Database
from .models import ScheduledRun, SchedulerLease

_LEASES = SchedulerLease.__table__
_RUNS = ScheduledRun.__table__


def new_holder() -> str:
    """An id for this process: host, pid and a random part (a restarted process is a new holder)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(db: Database, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``now + ttl``; False while another holds it."""
    try:
        with db.transaction() as conn:
            renewed = conn.execute(
                update(_LEASES)
                .where(_LEASES.c.name == name, or_(_LEASES.c.holder == holder, _LEASES.c.expires_at <= now))
                .values(
                    holder=holder,
                    expires_at=now + ttl,
                    acquired_at=case((_LEASES.c.holder == holder, _LEASES.c.acquired_at), else_=now),
                )
            ).rowcount
            if renewed == 1:
                return True
            if conn.execute(select(_LEASES.c.name).where(_LEASES.c.name == name)).first() is not None:
                return False
            conn.execute(
                insert(_LEASES).values(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
            )
            return True
    except IntegrityError:  # another process inserted the lease first
        return False


def release_lease(db: Database, name: str, holder: str, now: datetime) -> None:
    """Let the lease lapse now, so another scheduler takes over without waiting for it to expire."""
    with db.transaction() as conn:
        conn.execute(
            update(_LEASES).where(_LEASES.c.name == name, _LEASES.c.holder == holder).values(expires_at=now)
        )


def lease_holder(db: Database, name: str, now: datetime) -> str | None:
    with db.read() as session:
        return session.scalar(
            select(_LEASES.c.holder).where(_LEASES.c.name == name, _LEASES.c.expires_at > now)
        )


def claim_run(
    db: Database, job: str, period: str, holder: str, now: datetime, stale_after: timedelta
) -> bool:
    """Claim ``job``'s run for ``period``: True once, for one caller, unless that run failed (its claim
    is dropped) or its holder died (unfinished and older than ``stale_after``)."""
    try:
        with db.transaction() as conn:
            conn.execute(insert(_RUNS).values(job=job, period=period, holder=holder, started_at=now))
        return True
    except IntegrityError:
        pass
    with db.transaction() as conn:
        taken = conn.execute(
            update(_RUNS)
            .where(
                and_(_RUNS.c.job == job, _RUNS.c.period == period),
                _RUNS.c.finished_at.is_(None),
                _RUNS.c.started_at < now - stale_after,
            )
            .values(holder=holder, started_at=now)
        ).rowcount
    return taken == 1


def finish_run(db: Database, job: str, period: str, holder: str, now: datetime, ok: bool) -> None:
    """Mark the run done, or drop the claim after a failure so that the next tick tries again."""
    mine = and_(_RUNS.c.job == job, _RUNS.c.period == period, _RUNS.c.holder == holder)
    with db.transaction() as conn:
        if ok:
            conn.execute(update(_RUNS).where(mine).values(finished_at=now))
        else:
            conn.execute(delete(_RUNS).where(mine))


def run_finished(db: Database, job: str, period: str) -> bool:
    with db.read() as session:
        finished = session.execute(
            select(_RUNS.c.finished_at).where(_RUNS.c.job == job, _RUNS.c.period == period)
        ).first()
        return finished is not None and finished[0] is not None
