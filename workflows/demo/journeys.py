"""Where each demo case should stand, and the steps that take it there: forms as an officer would fill
them, messages as the payout cycle would send them, each at a moment in the past."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..deadlines.calendar import VIETNAM
from ..programmes import SOCIAL, per_child
from .people import Person

# stage → (weight per 300 cases, days between the last step and now: (least, most)). A stage waiting on a
# timer keeps its last step inside the timer's delay (30 days to retry outreach, 90 to offer cashless
# again); one that must have fired it by now puts the step further back.
STAGES: dict[str, tuple[int, tuple[int, int]]] = {
    "outreach": (20, (0, 14)),
    "outreach_retry_wait": (4, (2, 25)),
    "outreach_again": (5, (32, 50)),
    "register": (18, (0, 12)),
    "register_supplement": (5, (0, 10)),
    "register_not_found": (3, (0, 10)),
    "review": (25, (0, 8)),
    "review_after_correction": (4, (0, 8)),
    "issue_cccd": (12, (0, 15)),
    "police_check": (40, (0, 12)),
    "open_account": (25, (0, 12)),
    "issue_card": (22, (0, 12)),
    "active": (50, (5, 60)),
    "repair_account": (8, (0, 6)),
    "cash": (25, (3, 80)),
    "offer_cashless": (12, (92, 120)),
    "rejected": (5, (3, 60)),
    "deceased": (5, (3, 60)),
    "duplicate": (4, (3, 60)),
    "exited": (6, (1, 40)),
}
LONGEST_HISTORY_DAYS = 200  # the most days any case goes back (tail + steps + opening)

CHANNELS = ["home_visit", "home_visit", "village_meeting", "phone", "loudspeaker"]
SUPPLEMENTS = ["Thiếu giấy xác nhận mức độ khuyết tật", "Thiếu bản sao giấy khai sinh",
               "Chưa có xác nhận hộ nghèo năm 2024", "Ảnh CCCD bị mờ, đề nghị chụp lại"]  # fmt: skip
REJECTIONS = ["Đang hưởng lương hưu, không thuộc diện trợ cấp xã hội",
              "Không thuộc hộ nghèo theo danh sách năm 2024"]  # fmt: skip
ACCOUNT_FAILURES = ["Không có giấy tờ tùy thân hợp lệ", "Người hưởng không đồng ý mở tài khoản"]
ACCOUNT_DIGITS = {"VBA": 13, "LPB": 12, "VCB": 10, "BIDV": 12, "ICB": 12}
HELD_AT = ["VBA", "VBA", "VBA", "LPB", "VCB", "BIDV", "ICB"]  # Agribank is everywhere in the highlands


@dataclass(frozen=True)
class Action:
    """A task to complete (``name`` = its BPMN id) or a message to deliver (``name`` = the message)."""

    kind: str  # task | message
    name: str
    payload: dict
    at: datetime


@dataclass
class Journey:
    code: str
    stage: str
    area_code: str
    person: Person
    opened_at: datetime
    actions: list[Action] = field(default_factory=list)


Builder = Callable[[date], dict]


class Planner:
    """Turns (stage, person) into a journey: the steps, spaced a few days apart, ending ``tail`` days
    before ``now``."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now

    def journey(self, code: str, stage: str, area_code: str, person: Person, others: list[str]) -> Journey:
        steps = self._steps(stage, person, others)
        least, most = STAGES[stage][1]
        moment = self.now - timedelta(days=self.rng.uniform(least, most), minutes=self.rng.randint(5, 600))
        timed = []
        for kind, name, build in reversed(steps):
            timed.append((kind, name, build, moment))
            moment -= timedelta(days=self.rng.uniform(1, 6), minutes=self.rng.randint(0, 300))
        actions = [Action(kind, name, build(_day(at)), at) for kind, name, build, at in reversed(timed)]
        return Journey(code, stage, area_code, person, moment, actions)

    def _steps(self, stage: str, person: Person, others: list[str]) -> list[tuple[str, str, Builder]]:
        rng = self.rng
        if stage == "outreach":
            return []
        if stage in ("outreach_retry_wait", "outreach_again"):
            return [self._outreach("not_reachable", channel="phone")]
        if stage in ("offer_cashless", "cash") and (stage == "offer_cashless" or rng.random() < 0.5):
            return [self._cash_outreach(person)]
        method = (
            rng.choice(["cash", "existing_account", "new_account"])
            if stage == "cash"
            else self._method(stage)
        )
        head = [self._outreach("agrees"), self._registration(person, method)]
        if stage == "register":
            return head[:1]
        if stage == "review":
            return head
        if stage == "register_supplement":
            return [*head, self._task("review", decision="supplement", note=rng.choice(SUPPLEMENTS))]
        if stage == "rejected":
            reason = rng.choice(REJECTIONS)
            return [*head, self._task("review", decision="reject", note=reason, confirm_closure=True)]
        head.append(self._task("review", decision="approve"))
        if not person.has_cccd:
            if stage == "issue_cccd":
                return head
            head.append(("task", "issue_cccd", lambda day: {"cccd": person.cccd, "issued_on": _iso(day, -2)}))
        if stage == "police_check":
            return head
        if stage == "deceased":
            return [*head, ("task", "police_check", lambda day: self._death(person, day))]
        police = {
            "register_not_found": {"result": "not_found", "note": "Không tìm thấy theo số CCCD đã khai"},
            "review_after_correction": self._correction(person),
            "duplicate": {"result": "duplicate", "duplicate_of": rng.choice(others), "confirm_closure": True}
            if others
            else {"result": "matched"},  # nobody open yet to be a duplicate of
        }
        if stage in police:
            return [*head, self._task("police_check", **police[stage])]
        head.append(self._task("police_check", result="matched"))
        if method == "cash":
            return head
        if stage == "cash" and rng.random() < 0.5:
            failure = rng.choice(ACCOUNT_FAILURES)
            return [*head, self._task("open_account", account_outcome="failed", failure_reason=failure)]
        head.append(self._account(person, method))
        if stage == "open_account":
            return head[:-1]
        if stage == "issue_card":
            return head
        head.append(("task", "issue_card", lambda day: {"card_issued_on": _iso(day), "guidance_given": True}))
        failed = (
            "message",
            "payout_failed",
            lambda day: {"month": f"{day:%Y-%m}", "reason": "Tài khoản bị khóa"},
        )
        if stage == "repair_account":
            return [*head, failed]
        if stage == "cash":
            return [
                *head,
                failed,
                self._task("repair_account", repair_outcome="cash", note="Muốn nhận tiền mặt"),
            ]
        if stage == "exited":
            reason = rng.choice(["moved_away", "not_eligible"])
            return [*head, ("message", "beneficiary_exit", lambda day: {"reason": reason})]
        return head  # active

    def _method(self, stage: str) -> str:
        later = stage not in ("register", "review", "register_supplement", "rejected", "issue_cccd")
        methods, weights = ["existing_account", "new_account", "cash"], [35, 45, 0 if later else 20]
        return self.rng.choices(methods, weights)[0]

    def _outreach(self, outcome: str, channel: str | None = None, **more) -> tuple[str, str, Builder]:
        channel = channel or self.rng.choice(CHANNELS)
        attended = "Cán bộ LĐTBXH xã, trưởng thôn" if channel != "phone" else ""
        fixed = {"channel": channel, "attended_by": attended, "outcome": outcome, **more}
        return ("task", "outreach", lambda day: {"contact_date": _iso(day), **fixed})

    def _cash_outreach(self, person: Person) -> tuple[str, str, Builder]:
        represented = person.representative is not None
        if person.mobility == "bedridden" and not represented:
            return self._outreach("cannot_register", mobility="bedridden", has_representative=False)
        preference = "home" if person.mobility != "mobile" else "pay_point"
        return self._outreach(
            "prefers_cash",
            mobility=person.mobility,
            has_representative=represented,
            cash_preference=preference,
        )

    def _registration(self, person: Person, method: str) -> tuple[str, str, Builder]:
        form = {
            "full_name": person.full_name, "date_of_birth": person.date_of_birth.isoformat(),
            "gender": person.gender, "has_cccd": person.has_cccd, "phone": person.phone or "",
            "village": person.village, "category_code": person.category_code, "method": method,
            "mobility": person.mobility, "consent": True,
        }  # fmt: skip
        if person.has_cccd:
            form["cccd"] = person.cccd
        if per_child(SOCIAL, person.category_code):  # a single parent: the form asks how many children
            form["children_count"] = "2"
        rep = person.representative
        if rep is not None:
            form.update(
                representative_kind=rep.kind, representative_name=rep.full_name, representative_cccd=rep.cccd,
                representative_phone=rep.phone, representative_relationship=rep.relationship,
                authorisation_document=rep.document,
            )  # fmt: skip
        if method == "existing_account":
            bank = self.rng.choice(HELD_AT)
            account = self._account_number(bank)
            person.extra["account"] = (bank, account)
            holder = "guardian" if rep is not None and rep.kind == "guardian" else "beneficiary"
            form.update(bank_code=bank, account_number=account, account_holder=holder)
        if method == "cash":
            form["cash_preference"] = "home" if person.mobility == "bedridden" else "pay_point"
        return ("task", "register", lambda day: form)

    def _account(self, person: Person, method: str) -> tuple[str, str, Builder]:
        if method == "existing_account":
            bank, account = person.extra["account"]
            return self._task(
                "open_account", account_outcome="verified", bank_code=bank, account_number=account
            )
        bank = self.rng.choice(["VBA", "LPB"])
        return self._task(
            "open_account",
            account_outcome="opened",
            bank_code=bank,
            account_number=self._account_number(bank),
        )

    def _account_number(self, bank: str) -> str:
        rest = ACCOUNT_DIGITS[bank] - 1
        return f"{self.rng.randint(1, 9)}{self.rng.randrange(10**rest):0{rest}d}"

    def _correction(self, person: Person) -> dict:
        born = person.date_of_birth
        fixed = born.replace(day=1) if born.day != 1 else born.replace(day=15)
        return {"result": "corrected", "corrected_date_of_birth": fixed.isoformat(),
                "note": "Ngày sinh khác với CSDL quốc gia về dân cư"}  # fmt: skip

    def _death(self, person: Person, day: date) -> dict:
        died = max(day - timedelta(days=self.rng.randint(10, 200)), person.date_of_birth + timedelta(days=1))
        return {"result": "deceased", "date_of_death": died.isoformat(), "note": "Đã khai tử tại UBND xã",
                "confirm_closure": True}  # fmt: skip

    def _task(self, name: str, **form) -> tuple[str, str, Builder]:
        return ("task", name, lambda day: dict(form))


def _day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def _iso(day: date, shift: int = 0) -> str:
    return (day + timedelta(days=shift)).isoformat()
