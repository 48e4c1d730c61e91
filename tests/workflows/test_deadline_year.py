"""A case's deadlines lived hour by hour: the real beneficiary case, the sweep run every hour as the
scheduler would, and every reminder, overdue notice and escalation checked against the working day
it must land on (Tết 2025 with its swapped Saturday, 30/04–02/05, Tết 2026)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from tests.workflows.conftest import REGISTRATION
from tests.workflows.deadline_helpers import Sweeper, vn
from tests.workflows.test_case_paths import AGREES, APPROVE, CARD, MATCHED, VERIFIED
from workflows.deadlines import acknowledge_escalation, add_calendar_day, alerts_of_instance, extend_deadline
from workflows.org import area_code

COMMUNE = "2024:23311/ubnd"  # Xã Đắk Cấm
CITY_PC = "2024:608/ubnd"  # UBND thành phố Kon Tum
PROVINCE_PC = "2024:62/ubnd"  # UBND tỉnh Kon Tum
# From 1/3/2025 social assistance is Health's (Phòng Y tế, Sở Y tế): the review is theirs by March.
LABOUR, DOLISA = "2024:608/yt", "2024:62/so-yt"
POLICE, PROVINCE_POLICE = "2024:608/ca", "2024:62/ca"  # the provincial police have no supervisor here
PROVIDER = "2024:608/bd"


def due_of(case) -> tuple:
    (task,) = case.open_tasks()
    return task.bpmn_id, task.due_at


def test_a_case_from_tet_2025_to_may_every_alert_on_its_working_day(province):
    clock = province.clock
    clock.now = vn(2025, 1, 20, 9)  # Monday
    # Tết 2025: Monday 27/01 off, worked back on Saturday 08/02 (the package knows only the day off).
    add_calendar_day(
        province.fresh(), date(2025, 2, 8), "working_day", "Hoán đổi ngày làm việc Tết Ất Tỵ", "admin"
    )
    sweeper = Sweeper(province)
    case = province.case()
    # 10 working days: 21–24/01, then Tết (25/01–02/02), 03–07/02 and the swapped Saturday.
    assert due_of(case) == ("outreach", vn(2025, 2, 8, 17))

    sweeper.run_until(vn(2025, 2, 10, 9))
    ctx = province.fresh()
    (first,) = [a for a in _escalations(sweeper, case) if a.level == 1]
    acknowledged = acknowledge_escalation(
        ctx, first.id, "lanh_dao_tp", "Đã nhắc UBND xã", agency_code=CITY_PC
    )
    assert (acknowledged.acknowledged_by, acknowledged.comment) == ("lanh_dao_tp", "Đã nhắc UBND xã")

    sweeper.run_until(vn(2025, 2, 13, 9))
    case.do("outreach", AGREES)
    assert due_of(case) == ("register", vn(2025, 2, 20, 17))  # 14, 17, 18, 19, 20/02

    sweeper.run_until(vn(2025, 2, 20, 10))
    case.do("register", REGISTRATION)
    assert due_of(case) == ("review", vn(2025, 2, 27, 17))

    sweeper.run_until(vn(2025, 2, 25, 10))
    (review,) = case.open_tasks()
    extend_deadline(province.fresh(), review.id, vn(2025, 3, 10, 17), "Chờ hồ sơ bổ sung", "admin")
    assert due_of(case) == ("review", vn(2025, 3, 10, 17))

    sweeper.run_until(vn(2025, 4, 18, 9))
    case.do("review", APPROVE)
    # 21–25/04, Saturday 26/04 (worked for Friday 02/05), 28–29/04, then 30/04, 01/05, 02/05 off.
    assert due_of(case) == ("police_check", vn(2025, 5, 6, 17))

    sweeper.run_until(vn(2025, 5, 8, 9))
    case.do("police_check", MATCHED)
    assert due_of(case) == ("open_account", vn(2025, 5, 22, 17))
    sweeper.run_until(vn(2025, 5, 12, 9))
    case.do("open_account", VERIFIED)
    assert due_of(case) == ("issue_card", vn(2025, 5, 26, 17))
    sweeper.run_until(vn(2025, 5, 26, 9))
    case.do("issue_card", CARD)
    sweeper.run_until(vn(2025, 12, 31, 17), step=_DAY)  # the rest of the year: nothing more

    assert sweeper.alerts(case.instance_id) == [
        ("outreach", "reminder", 1, COMMUNE, (2025, 2, 7, 17), (2025, 2, 7, 17), "completed"),
        ("outreach", "overdue", 0, COMMUNE, (2025, 2, 8, 17), (2025, 2, 8, 17), "completed"),
        ("outreach", "escalation", 1, CITY_PC, (2025, 2, 8, 17), (2025, 2, 8, 17), "completed"),
        ("outreach", "escalation", 2, PROVINCE_PC, (2025, 2, 12, 17), (2025, 2, 12, 17), "completed"),
        ("register", "reminder", 1, COMMUNE, (2025, 2, 19, 17), (2025, 2, 19, 17), "completed"),
        # The review's first deadline (27/02) was extended before its reminder: only the new one's.
        ("review", "reminder", 1, LABOUR, (2025, 3, 7, 17), (2025, 3, 7, 17), "completed"),
        ("review", "overdue", 0, LABOUR, (2025, 3, 10, 17), (2025, 3, 10, 17), "completed"),
        ("review", "escalation", 1, DOLISA, (2025, 3, 10, 17), (2025, 3, 10, 17), "completed"),
        ("review", "escalation", 2, PROVINCE_PC, (2025, 3, 13, 17), (2025, 3, 13, 17), "completed"),
        ("police_check", "reminder", 1, POLICE, (2025, 5, 5, 17), (2025, 5, 5, 17), "completed"),
        ("police_check", "overdue", 0, POLICE, (2025, 5, 6, 17), (2025, 5, 6, 17), "completed"),
        ("police_check", "escalation", 1, PROVINCE_POLICE, (2025, 5, 6, 17), (2025, 5, 6, 17), "completed"),
        ("issue_card", "reminder", 1, PROVIDER, (2025, 5, 23, 17), (2025, 5, 23, 17), "completed"),
    ]
    kinds = Counter(kind for kind, _ in case.history())
    assert {k: kinds[k] for k in _DEADLINE_KINDS} == {
        "reminder_sent": 5,
        "task_overdue": 3,
        "escalation_raised": 5,
        "escalation_acknowledged": 1,
        "escalation_closed": 5,
        "due_changed": 1,
    }
    closed = [
        k for k, b in case.history() if k in ("task_completed", "escalation_closed") and b == "outreach"
    ]
    assert closed == ["task_completed", "escalation_closed", "escalation_closed"]  # in the same step


def test_tet_2026_on_the_two_tier_structure(province_2025):
    province = province_2025
    province.clock.now = vn(2026, 2, 9, 9)  # Monday
    sweeper = Sweeper(province)
    commune = area_code("2025", "23284")
    case = province.case(area=commune)
    # 10–13/02, Tết 14–22/02, 23–27/02, 02/03.
    assert due_of(case) == ("outreach", vn(2026, 3, 2, 17))
    sweeper.run_until(vn(2026, 3, 20, 9))
    agency = f"{commune}/ubnd"
    assert sweeper.alerts(case.instance_id) == [
        ("outreach", "reminder", 1, agency, (2026, 2, 27, 17), (2026, 2, 27, 17), None),
        ("outreach", "overdue", 0, agency, (2026, 3, 2, 17), (2026, 3, 2, 17), None),
        # The commune answers to the province directly, which answers to nobody: one level only.
        ("outreach", "escalation", 1, "2025:51/ubnd", (2026, 3, 2, 17), (2026, 3, 2, 17), None),
    ]


_DAY = timedelta(days=1)
_DEADLINE_KINDS = (
    "reminder_sent",
    "task_overdue",
    "escalation_raised",
    "escalation_acknowledged",
    "escalation_closed",
    "due_changed",
)


def _escalations(sweeper: Sweeper, case):
    with sweeper.ctx.db.read() as session:
        return [a for a in alerts_of_instance(session, case.instance_id) if a.kind == "escalation"]
