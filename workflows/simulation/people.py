"""The simulation's beneficiaries and the staff who look after their cases: every case is opened and taken
through the real forms and engine (outreach, registration, review, the police, the account, the card),
and the tasks cases raise later (an account to repair, a cash recipient to offer cashless again) are
done as an officer would."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import engine
from engine import EngineContext

from ..beneficiaries.enrolments import enrol
from ..case import service as cases
from ..tasks import submit_task

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Y", "A", "Đinh", "Hồ", "Võ", "Rơ Châm"]
MIDDLE = ["Thị", "Văn", "Đức", "Ngọc", "Minh", "H'"]
GIVEN = ["Hoa", "Lan", "Bình", "Dũng", "Blông", "Nhung", "Hùng", "Mai", "Thơ", "Kim"]
CATEGORIES = [
    "elderly_80_plus_no_pension",
    "elderly_80_plus_no_pension",
    "disabled_severe",
    "disabled_particularly_severe",
    "elderly_poor_alone_60_80",
    "orphan_4_plus",
]
BANKS = ["VBA", "VCB", "BIDV", "ICB"]
# How people want to be paid: (weight, profile)
PROFILES = [(70, "account"), (8, "guardian_account"), (15, "pay_point"), (7, "home")]


@dataclass(frozen=True)
class Person:
    code: str
    commune: str
    profile: str
    instance_id: int
    account: tuple[str, str] | None = None  # (bank, number) for an account case


def _name(rng: random.Random) -> str:
    middle = rng.choice(MIDDLE)
    given = rng.choice(GIVEN)
    return f"{rng.choice(FAMILY)} {middle}{given}" if middle.endswith("'") else (
        f"{rng.choice(FAMILY)} {middle} {given}"
    )  # fmt: skip


def _submit(ctx: EngineContext, instance_id: int, bpmn_id: str, form: dict, user: str) -> None:
    (task,) = [t for t in engine.get_instance(ctx, instance_id).open_tasks if t.bpmn_id == bpmn_id]
    submit_task(ctx, task.id, form, user=user)


def onboard(
    ctx: EngineContext, rng: random.Random, index: int, commune: str, today: date, pause: bool = False
) -> Person:
    """Open one case and take it to being paid: by account (own or a guardian's) or in cash. With
    ``pause``, an account case stops after registration (``finish_onboarding`` does the rest later)."""
    code = f"BN{index:07d}"
    profile = rng.choices([p for _, p in PROFILES], weights=[w for w, _ in PROFILES])[0]
    born = date(rng.randint(1930, 1960), rng.randint(1, 12), rng.randint(1, 28))
    gender = rng.choice(["male", "female"])
    cccd = f"062{0 if gender == 'male' else 1}{born.year % 100:02d}{index % 1_000_000:06d}"
    category = rng.choice(CATEGORIES)
    name = _name(rng)
    step = cases.open_case(ctx, code, commune, name, category, actor="sim-commune")
    instance_id = step.instance_id
    # The roll the province already pays: paid by the old way through the month before An Sinh's first.
    with ctx.db.write() as session:
        enrol(
            session, code, "social_assistance", category, ctx.now(), entitled_from=today,
            paid_through=today, source="roll: simulation", instance_id=instance_id,
        )  # fmt: skip
    contact = {"contact_date": today.isoformat(), "channel": "home_visit"}
    if profile in ("pay_point", "home"):
        outcome = (
            {"outcome": "prefers_cash", "mobility": "mobile", "cash_preference": "pay_point"}
            if profile == "pay_point"
            else {"outcome": "cannot_register", "mobility": "bedridden"}
        )
        _submit(ctx, instance_id, "outreach", {**contact, **outcome}, "sim-commune")
        return Person(code, commune, profile, instance_id)
    _submit(ctx, instance_id, "outreach", {**contact, "outcome": "agrees"}, "sim-commune")
    registration = {
        "full_name": name, "date_of_birth": born.isoformat(), "gender": gender, "has_cccd": True,
        "cccd": cccd, "village": f"Thôn {rng.randint(1, 9)}", "category_code": category,
        "method": "existing_account", "bank_code": rng.choice(BANKS),
        "account_number": f"{rng.randint(10**9, 10**10 - 1)}", "mobility": "mobile", "consent": True,
    }  # fmt: skip
    if profile == "guardian_account":
        registration |= {
            "representative_kind": "guardian", "representative_name": _name(rng),
            "representative_cccd": f"0620{rng.randint(70, 99)}{index % 1_000_000:06d}",
            "representative_relationship": "Con", "authorisation_document": f"QĐ {index}/UBND",
            "account_holder": "guardian",
        }  # fmt: skip
    _submit(ctx, instance_id, "register", registration, "sim-commune")
    person = Person(
        code, commune, profile, instance_id, (registration["bank_code"], registration["account_number"])
    )
    if pause:
        return person  # still being moved to an account: paid in cash meanwhile
    return finish_onboarding(ctx, person, today)


def finish_onboarding(ctx: EngineContext, person: Person, today: date) -> Person:
    """Review, the police's check, the account and the card: the rest of a registered person's move."""
    instance_id = person.instance_id
    bank_code, account_number = person.account
    _submit(ctx, instance_id, "review", {"decision": "approve"}, "sim-labour")
    _submit(ctx, instance_id, "police_check", {"result": "matched"}, "sim-police")
    account = {"account_outcome": "verified", "bank_code": bank_code, "account_number": account_number}
    _submit(ctx, instance_id, "open_account", account, "sim-provider")
    _submit(ctx, instance_id, "issue_card", {"card_issued_on": today.isoformat(), "guidance_given": True},
            "sim-provider")  # fmt: skip
    return person


def tend_cases(
    ctx: EngineContext, rng: random.Random, today: date, repair_fixed: float = 0.7
) -> dict[str, int]:
    """Do every open task of the beneficiaries' cases: repair accounts (most get a new one, some move to
    cash) and decline the periodic offer to switch a cash recipient to cashless."""
    done = {"repair_account": 0, "offer_cashless": 0}
    for task in engine.list_tasks(ctx, limit=100_000):
        if task.process_key != cases.PROCESS or task.bpmn_id not in done:
            continue
        if task.bpmn_id == "repair_account":
            form = (
                {"repair_outcome": "fixed", "bank_code": rng.choice(BANKS),
                 "account_number": f"{rng.randint(10**9, 10**10 - 1)}"}
                if rng.random() < repair_fixed
                else {"repair_outcome": "cash", "note": "Không sửa được tài khoản"}
            )  # fmt: skip
        else:
            form = {"contact_date": today.isoformat(), "accepts_cashless": False}
        submit_task(ctx, task.id, form, user="sim-staff")
        done[task.bpmn_id] += 1
    return done


def exit_some(ctx: EngineContext, rng: random.Random, people: list[Person], rate: float) -> list[str]:
    """A few beneficiaries exit (death, moving away) — during the cycle, after the list was approved."""
    gone = []
    for person in people:
        if rng.random() < rate:
            reason = rng.choice(["death", "moved_away"])
            delivery = engine.deliver_message(ctx, "beneficiary_exit", person.code, {"reason": reason})
            if delivery.delivered_to:
                gone.append(person.code)
    return gone
