"""``ansinh simulate``: a demo province run month by month by automatic actors, checked as it goes.

It builds the province (the 2024 tree, or the 2025 one with cycles per commune), opens every case and
takes it through the real forms and engine, then for each month starts the cycles and plays every role:
the labour office approves, the treasury transfers the total, the provider imports its results (with
the given share of failed transfers, plus the same file again and an overlapping one, which must change
nothing), pays cash, pays failed transfers in cash; cases repair accounts; the books are reconciled and
the reports sent. Base levels become known a month late, as Decree 76/2024 did, so arrears appear.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

import engine
from engine import EngineContext

from ..beneficiaries.models import Beneficiary
from ..deadlines.calendar import VIETNAM
from ..demo.organisation import build_demo_organisation
from ..org import load_area_file, load_current_units
from ..org.models import Area
from ..payouts import files
from ..payouts.common import ACTIVE_STATUSES, add_months, parse_month
from ..payouts.imports import import_results, record_cash
from ..payouts.rates import known_on
from ..payouts.service import do_step, start_cycles
from ..payouts.views import get_cycle, list_lines
from . import checks
from .people import Person, exit_some, finish_onboarding, onboard, tend_cases

ROOTS = {"2024": "2024:62", "2025": "2025:51"}
BPMN = Path(__file__).resolve().parents[2] / "bpmn"
REASONS = ["Tài khoản bị khoá", "Sai số tài khoản", "Tài khoản đã đóng", "Sai tên chủ tài khoản"]


@dataclass(frozen=True)
class SimulationOptions:
    beneficiaries: int = 100
    districts: int = 2  # districts (2024), or communes (2025): the areas one cycle each covers
    months: int = 3
    failure_rate: float = 0.03
    seed: int = 1
    start: date = date(2024, 6, 1)
    structure: str = "2024"
    exit_rate: float = 0.01
    not_collected_rate: float = 0.02
    decree_lag_months: int = 1  # a base level is known this many months after it takes effect


@dataclass
class SimulationResult:
    options: SimulationOptions
    cases: dict[str, int] = field(default_factory=dict)
    months: list[checks.MonthReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(not m.problems and m.balanced for m in self.months)


class SimulationClock:
    def __init__(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        return self.now

    def day(self, day: date, hour: int = 9) -> date:
        self.now = datetime.combine(day, time(hour), tzinfo=VIETNAM).astimezone(UTC)
        return day


def simulate(options: SimulationOptions, database_url: str | None = None, progress=None) -> SimulationResult:
    """Run in ``database_url`` (an empty database), or in a temporary SQLite file thrown away afterwards."""
    if database_url:
        return run_simulation(database_url, options, BPMN, progress)
    with tempfile.TemporaryDirectory(prefix="ansinh-simulation-") as folder:
        return run_simulation(f"sqlite:///{folder}/simulation.db", options, BPMN, progress)


def run_simulation(
    database_url: str, options: SimulationOptions, bpmn_dir, progress=None
) -> SimulationResult:
    from ..bootstrap import bootstrap

    say = progress or (lambda text: None)
    rng = random.Random(options.seed)
    start = parse_month(options.start)
    clock = SimulationClock(datetime.combine(add_months(start, -1), time(2), tzinfo=UTC))
    ctx = bootstrap(database_url, clock=clock, upgrade=True)
    try:
        communes, areas = _build_province(ctx, options)
        engine.deploy_paths(ctx, [bpmn_dir])
        result = SimulationResult(options)
        onboarding_day = clock.day(add_months(start, -1) + timedelta(days=2))
        # Every third case is still being moved to an account when the first month is paid (paid in
        # cash meanwhile); its move finishes in the second month.
        in_progress = options.months > 1
        people = [
            onboard(ctx, rng, i, communes[i % len(communes)], onboarding_day, in_progress and i % 3 == 0)
            for i in range(1, options.beneficiaries + 1)
        ]
        result.cases = {
            profile: sum(p.profile == profile for p in people)
            for profile in sorted({p.profile for p in people})
        }
        say(f"{len(people)} cases opened and taken through to payment in {len(areas)} area(s)")
        for index in range(options.months):
            month = add_months(start, index)
            if index == 1 and in_progress:
                clock.day(month)
                for person in people:
                    if person.account is not None:
                        _finish(ctx, person, month)
            report = _run_month(ctx, clock, rng, options, month, areas, people)
            result.months.append(report)
            for line in report.lines_text():
                say(line)
            for problem in report.problems:
                say(f"  PROBLEM: {problem}")
        with ctx.db.read() as session:
            result.problems += checks.check_every_month(
                session, [add_months(start, i) for i in range(options.months)]
            )
        return result
    finally:
        ctx.db.dispose()


def _finish(ctx: EngineContext, person: Person, today: date) -> None:
    """The rest of a paused move, unless the case has gone elsewhere meanwhile (an exit)."""
    open_steps = {t.bpmn_id for t in engine.get_instance(ctx, person.instance_id).open_tasks}
    if "review" in open_steps:
        finish_onboarding(ctx, person, today)


def _build_province(ctx: EngineContext, options: SimulationOptions) -> tuple[list[str], list[str]]:
    """Load the tree and the demo agencies; pick the areas cycles cover and the communes people live in."""
    root = ROOTS[options.structure]
    with ctx.db.write() as session:
        if options.structure == "2024":
            load_area_file(session)
        else:
            load_current_units(session, root.split(":")[1], options.structure)
        build_demo_organisation(session, options.structure)
        level = "district" if options.structure == "2024" else "commune"
        areas = list(
            session.scalars(
                select(Area.code).where(Area.parent_code == root, Area.level == level).order_by(Area.code)
            )
        )[: options.districts]
        if level == "commune":
            return areas, areas
        communes = list(
            session.scalars(select(Area.code).where(Area.parent_code.in_(areas)).order_by(Area.code))
        )
    return communes, areas


def _run_month(ctx, clock, rng, options, month: date, areas: list[str], people: list[Person]):
    workday = _workdays(month)
    clock.day(next(workday))
    engine.fire_due_timers(ctx)
    tend_cases(ctx, rng, clock.now.astimezone(VIETNAM).date())
    known = known_on(add_months(month, -options.decree_lag_months))
    started = [s for s in start_cycles(ctx, ROOTS[options.structure], month, "sim", entitlements=known)
               if s.business_key.split("-")[1] in areas]  # fmt: skip
    ids = [s.cycle_id for s in started]
    problems: list[str] = []
    clock.day(next(workday))
    for cycle_id in ids:
        do_step(ctx, cycle_id, "approve_list", {"decision": "approve"}, user="sim-labour")
    exits = exit_some(ctx, rng, _active(ctx, people), options.exit_rate)
    day = clock.day(next(workday))
    for cycle_id in ids:
        total = get_cycle(ctx, cycle_id).total_amount
        form = {
            "transfer_reference": f"KB-{cycle_id}",
            "transfer_date": day.isoformat(),
            "transfer_amount": total,
        }
        do_step(ctx, cycle_id, "confirm_transfer", form, user="sim-treasury")
    clock.day(next(workday))
    delivered = ignored = 0
    for cycle_id in ids:
        more, duplicates = _provider_pays(ctx, rng, options, cycle_id)
        problems += more
        ignored += duplicates
        delivered += do_step(
            ctx, cycle_id, "pay", {"results_recorded": True}, user="sim-provider"
        ).notices.delivered
    clock.day(next(workday))
    repaired = tend_cases(ctx, rng, clock.now.astimezone(VIETNAM).date())["repair_account"]
    for cycle_id in ids:
        fallback = [line.id for line in list_lines(ctx, cycle_id, status="cash_pending", limit=1_000_000)]
        if fallback:
            record_cash(
                ctx, cycle_id, [(i, _cash_result(rng, options)) for i in fallback], actor="sim-provider"
            )
            do_step(ctx, cycle_id, "pay_fallback_cash", {"results_recorded": True}, user="sim-provider")
    day = clock.day(next(workday))
    for cycle_id in ids:
        to_return = get_cycle(ctx, cycle_id).books.to_return
        form = {"returned_amount": to_return}
        if to_return:
            form |= {"return_reference": f"HT-{cycle_id}", "return_date": day.isoformat()}
        do_step(ctx, cycle_id, "reconcile", form, user="sim-labour")
    day = clock.day(next(workday))
    for cycle_id in ids:
        for bpmn_id, user in (("report_provider", "sim-provider"), ("report_district_pc", "sim-district-pc")):
            do_step(ctx, cycle_id, bpmn_id, {"report_sent_on": day.isoformat()}, user=user)
    with ctx.db.read() as session:
        report = checks.month_report(session, month, ids)
        report.problems = problems + checks.check_cycles(session, ids)
    report.exits, report.notices_delivered, report.accounts_repaired = len(exits), delivered, repaired
    report.duplicate_rows_ignored = ignored
    return report


def _provider_pays(ctx, rng, options, cycle_id: int) -> tuple[list[str], int]:
    """Account results as files (a partial one, the full one, the full one again), cash on screen."""
    problems = []
    rows = list(csv.reader(io.StringIO(files.payment_list_csv(ctx, cycle_id, "account").decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    result, reason, reference = (header.index(name) for name in ("Kết quả", "Lý do", "Mã giao dịch"))
    for row in body:
        failed = rng.random() < options.failure_rate
        row[result] = "Thất bại" if failed else "Đã chi"
        row[reason] = rng.choice(REASONS) if failed else ""
        row[reference] = "" if failed else f"FT{cycle_id:03d}{row[0]:>08}"
    partial = _csv([header, *body[: len(body) // 3]])
    full = _csv([header, *body])
    first = import_results(ctx, cycle_id, "ket-qua-dot-1.csv", partial, actor="sim-provider")
    second = import_results(ctx, cycle_id, "ket-qua-day-du.csv", full, actor="sim-provider")
    again = import_results(ctx, cycle_id, "ket-qua-day-du (1).csv", full, actor="sim-provider")
    if second.duplicates != first.applied or not again.already_imported:
        problems.append(f"cycle {cycle_id}: a results file imported again changed something")
    if first.applied + second.applied != len(body) - second.refused:
        problems.append(f"cycle {cycle_id}: account results applied {first.applied + second.applied} times")
    cash = [
        line.id
        for line in list_lines(ctx, cycle_id, status="pending", limit=1_000_000)
        if line.method != "account"
    ]
    if cash:
        record_cash(ctx, cycle_id, [(i, _cash_result(rng, options)) for i in cash], actor="sim-provider")
    return problems, second.duplicates


def _cash_result(rng, options) -> str:
    return "not_collected" if rng.random() < options.not_collected_rate else "paid"


def _active(ctx: EngineContext, people: list[Person]) -> list[Person]:
    with ctx.db.read() as session:
        active = set(session.scalars(select(Beneficiary.code).where(Beneficiary.status.in_(ACTIVE_STATUSES))))
    return [p for p in people if p.code in active]


def _workdays(month: date):
    """Monday to Friday from the 1st (the working-day calendar decides deadlines; this only paces the
    actors, who finish well before the 12th)."""
    day = month
    while True:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _csv(rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")
