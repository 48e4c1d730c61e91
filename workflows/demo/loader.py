"""Loading the demo: the Kon Tum 2024 tree and agencies, a user per agency, and beneficiaries whose cases
stand at every step, each taken there through the product's own API (forms validated, then the engine)
with the clock set back to when an officer would have done it."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import engine
from engine import EngineContext
from engine.errors import ValidationError
from engine.models import Instance, OpenTask

from ..accounts import User
from ..beneficiaries.models import Beneficiary
from ..case import service as cases
from ..deadlines import local_date
from ..org import Agency, Area, area_code, load_area_file, subtree_query
from ..tasks import submit_task
from .journeys import LONGEST_HISTORY_DAYS, STAGES, Journey, Planner
from .organisation import SPLIT, build_demo_organisation
from .people import People
from .users import ADMIN, DEMO_PASSWORD, create_demo_users, username_for

PREFIX = "KT-"
PROVINCE = area_code("2024", "62")
CITY = area_code("2024", "608")
SHOWCASE = area_code("2024", "23311")  # Xã Đắk Cấm, thành phố Kon Tum: one case at every stage
ORG_DATES: tuple[date, date | None] = (date(2024, 1, 1), None)  # open-ended, so the demo routes today
# Who does each role's steps for a commune: the commune itself, or an office of its district.
OFFICES = {"commune": "ubnd", "district_labour": "ldtbxh", "police": "ca", "provider": "bd"}
SHOWCASE_WEIGHT, CITY_WEIGHT = 10, 3


@dataclass(frozen=True)
class DemoSummary:
    loaded: bool  # False when the demo was already there and nothing was done
    agencies: int
    users_created: int
    beneficiaries_created: int
    beneficiaries: int  # demo beneficiaries now in the database
    waiting: dict[str, int]  # demo cases' open tasks, by step
    statuses: dict[str, int]  # demo records by status
    seconds: float


class _Clock:
    """The demo's clock: each step is done at the moment its journey says."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def load_demo(
    ctx: EngineContext, *, beneficiaries: int = 300, seed: int = 7, password: str = DEMO_PASSWORD
) -> DemoSummary:
    """Load the demo once; a second call finds it complete and returns at once (``loaded=False``).

    Needs ``bpmn/`` deployed. An interrupted load is finished by the next call: cases already there are
    left as they are, missing ones are made.
    """
    started = time.perf_counter()
    now = ctx.now()
    with ctx.db.read() as session:
        if _complete(session, beneficiaries):
            return _summary(session, False, 0, 0, started)
    earliest = datetime.combine(ORG_DATES[0], datetime.min.time(), UTC) + timedelta(days=LONGEST_HISTORY_DAYS)
    if now < earliest:
        raise ValidationError.single(
            f"the demo's cases reach back {LONGEST_HISTORY_DAYS} days: run it after {earliest:%d/%m/%Y}"
        )
    with ctx.db.write() as session:
        load_area_file(session)
        build_demo_organisation(session, "2024", dates=ORG_DATES)
        # The administrator sits in the department that runs social assistance today: Sở LĐTBXH until
        # the split of 1/3/2025, Sở Y tế after (an agency with no roles left would see no case at all).
        admin_agency = "so-ldtbxh" if now.date() < SPLIT else "so-yt"
        users = create_demo_users(session, PROVINCE, f"{PROVINCE}/{admin_agency}", password, now)
        communes = _communes(session)
        existing = set(session.scalars(select(Beneficiary.code).where(Beneficiary.code.like(f"{PREFIX}%"))))
    clock = _Clock(now)
    at_their_time = replace(ctx, clock=clock)
    districts = {code: district for code, district, _ in communes}
    created = 0
    for journey in plan_journeys(random.Random(seed), now, communes, beneficiaries):
        if journey.code not in existing:
            _drive(at_their_time, clock, journey, districts[journey.area_code])
            created += 1
    engine.fire_due_timers(ctx, now=now)  # outreach retries and cashless offers now due
    with ctx.db.read() as session:
        return _summary(session, True, users, created, started)


def plan_journeys(
    rng: random.Random, now: datetime, communes: list[tuple[str, str, bool]], count: int
) -> list[Journey]:
    """``count`` journeys: one per stage in the showcase commune first, the rest spread over the
    communes (the city's weighted up), stages in proportion to their weights."""
    total = sum(weight for weight, _ in STAGES.values())
    counts = {stage: max(1, round(weight * count / total)) for stage, (weight, _) in STAGES.items()}
    counts["active"] += count - sum(counts.values())
    showcase = list(STAGES)[:count]
    rest = [stage for stage, n in counts.items() for _ in range(n - (stage in showcase))][
        : count - len(showcase)
    ]
    rng.shuffle(rest)
    weights = [_weight(code, district) for code, district, _ in communes]
    places = [SHOWCASE] * len(showcase) + [c[0] for c in rng.choices(communes, weights, k=len(rest))]
    where = {code: (district, ward) for code, district, ward in communes}
    people, planner = People(rng, local_date(now)), Planner(rng, now)
    journeys: list[Journey] = []
    for number, (stage, commune) in enumerate(zip(showcase + rest, places, strict=True), start=1):
        district, ward = where[commune]
        person = people.person(district.rpartition(":")[2], ward, without_cccd=stage == "issue_cccd")
        others = [j.code for j in journeys if j.stage not in ("rejected", "deceased", "duplicate", "exited")]
        journeys.append(planner.journey(f"{PREFIX}{number:05d}", stage, commune, person, others))
    return journeys


def _drive(ctx: EngineContext, clock: _Clock, journey: Journey, district: str) -> None:
    person, code, commune = journey.person, journey.code, journey.area_code
    clock.at = journey.opened_at
    details = {"date_of_birth": person.date_of_birth, "gender": person.gender, "phone": person.phone}
    details.update(village=person.village, cccd=person.cccd if person.has_cccd else None)
    step = cases.open_case(
        ctx,
        code,
        commune,
        person.full_name,
        person.category_code,
        actor=_actor("commune", commune, district),
        **details,
    )
    for action in journey.actions:
        clock.at = action.at
        if action.kind == "message":
            message_id = f"demo:{code}:{action.name}"
            delivery = engine.deliver_message(ctx, action.name, code, action.payload, message_id=message_id)
            if not delivery.results:
                raise RuntimeError(f"demo case {code}: nobody waited for {action.name}")
            step = delivery.results[0]
        else:
            tasks = [t for t in step.open_tasks if t.bpmn_id == action.name]
            if not tasks:
                found = [t.bpmn_id for t in step.open_tasks]
                raise RuntimeError(
                    f"demo case {code} ({journey.stage}): expected {action.name}, found {found}"
                )
            user = _actor(tasks[0].role, commune, district)
            step = submit_task(ctx, tasks[0].id, action.payload, user=user).step
        if step.incident:
            raise RuntimeError(f"demo case {code}: {step.incident}")


def _actor(role: str | None, commune: str, district: str) -> str:
    """The demo user of the office that does ``role``'s steps for ``commune`` (2024 layout)."""
    if role == "commune":
        return username_for(f"{commune}/ubnd")
    return username_for(f"{district}/{OFFICES.get(role or '', 'ubnd')}")


def _communes(session: Session) -> list[tuple[str, str, bool]]:
    """(commune key, its district's key, is it a ward or town) for every commune of the province."""
    rows = session.execute(
        select(Area.code, Area.parent_code, Area.kind)
        .where(Area.code.in_(subtree_query(PROVINCE)), Area.level == "commune")
        .order_by(Area.code)
    ).all()
    return [(code, parent, kind in ("Phường", "Thị trấn")) for code, parent, kind in rows]


def _weight(commune: str, district: str) -> int:
    return SHOWCASE_WEIGHT if commune == SHOWCASE else CITY_WEIGHT if district == CITY else 1


def _complete(session: Session, count: int) -> bool:
    if session.scalar(select(User.id).where(User.username == ADMIN)) is None:
        return False
    return _count(session) >= count


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).where(Beneficiary.code.like(f"{PREFIX}%"))) or 0


def _summary(session: Session, loaded: bool, users: int, created: int, started: float) -> DemoSummary:
    demo = Instance.business_key.like(f"{PREFIX}%")
    waiting = session.execute(
        select(OpenTask.bpmn_id, func.count())
        .join(Instance, Instance.id == OpenTask.instance_id)
        .where(demo)
        .group_by(OpenTask.bpmn_id)
    ).all()
    statuses = session.execute(
        select(Beneficiary.status, func.count())
        .where(Beneficiary.code.like(f"{PREFIX}%"))
        .group_by(Beneficiary.status)
    ).all()
    agencies = session.scalar(select(func.count()).where(Agency.area_code.in_(subtree_query(PROVINCE))))
    return DemoSummary(
        loaded=loaded,
        agencies=agencies or 0,
        users_created=users,
        beneficiaries_created=created,
        beneficiaries=_count(session),
        waiting=dict(sorted(waiting)),
        statuses=dict(sorted(statuses)),
        seconds=round(time.perf_counter() - started, 2),
    )
