"""The set-based path (``plain_lines``) and the Python path draw the same list: same lines (amounts,
months, basis, method, recipient) and the same note, on people of every kind — plain, owed arrears,
changing age band, per child, paid before An Sinh, exited, rejected, not collected last month."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select

from workflows.bands import age_counted_for
from workflows.payouts import generation, plain_lines
from workflows.payouts.models import PayoutCycle, PayoutLine

from .test_entitled import enrol, run_month, set_record

L = PayoutLine.__table__
COMPARED = [c for c in L.columns if c.name not in ("id", "import_id", "result_at")]


def test_band_cutoffs_match_the_age_counted_for_a_month():
    # Born on 29 February included: in a year without it, the birthday falls after the 28th.
    births = [date(1940, 1, 1) + timedelta(days=d) for d in range(0, 90 * 366, 7)]
    births += [date(y, 2, d) for y in (1944, 1948, 2020) for d in (27, 28, 29)] + [date(2021, 3, 1)]
    for month in [date(2024, m, 1) for m in range(1, 13)] + [date(2025, 3, 1), date(2026, 3, 1)]:
        for age in (4, 16, 60, 80):
            cutoff = plain_lines.band_cutoff(month, age)
            for born in births:
                assert (born <= cutoff) == (age_counted_for(born, month) >= age), (month, age, born)


def _drawn(pay, cycle_id: int, set_based: bool):
    with pay.ctx().db.transaction() as conn:
        summary = generation.generate(conn, cycle_id, pay.clock(), set_based=set_based)
        rows = conn.execute(select(*COMPARED).where(L.c.cycle_id == cycle_id)).all()
    return sorted(rows, key=lambda r: (r.beneficiary_code, r.month, r.entitlement)), summary


def test_both_paths_draw_the_same_list(pay):
    pay.add(40, home_every=20)  # five categories, account / pay point / home, some through a guardian
    pay.add(1, start=41, cash_every=1)
    set_record(pay, "BN1000041", status="rejected")
    set_record(pay, "BN1000003", date_of_birth=date(2020, 5, 10))  # orphan turning 4 in 05/2024
    set_record(pay, "BN1000005", date_of_birth=date(1944, 6, 20))  # poor elderly alone, 80 in 06/2024
    set_record(pay, "BN1000010", date_of_birth=date(1944, 2, 29))
    social, severe, old = "social_assistance", "disabled_severe", date(2020, 1, 1)
    enrol(pay, "BN1000007", social, severe, old, paid_through=date(2024, 7, 31))  # paid before An Sinh
    enrol(pay, "BN1000008", social, "single_parent_poor", date(2024, 7, 1), children_count=3)
    enrol(pay, "BN1000011", social, "orphan_4_plus", date(2024, 9, 1))  # not yet
    enrol(pay, "BN1000012", social, severe, date(2024, 1, 1), ends_after=date(2024, 7, 31))
    set_record(pay, "BN1000012", status="deceased")
    july = run_month(pay, "2024-07", not_collected_codes={"BN1000020", "BN1000030"})  # cash lines
    # Enrolled after July's list: owed since May, and since before the arrears window.
    enrol(pay, "BN1000006", social, "elderly_80_plus_no_pension", date(2024, 5, 1))
    enrol(pay, "BN1000009", social, severe, old)
    pay.at(2024, 8, 1)
    august = pay.start(month="2024-08")
    assert july != august

    with pay.ctx().db.transaction() as conn:
        conn.execute(delete(L).where(L.c.cycle_id == august))
        cycle = conn.execute(select(PayoutCycle.__table__).where(PayoutCycle.id == august)).one()
        codes = generation.scope_codes(conn, cycle.area_code)
        plain = plain_lines.insert_plain(
            conn, cycle.month, cycle.programme, {august: codes}, generation._basis
        )
    assert 20 <= plain["lines"] < 40  # most people are plain; the ones set up above are not

    fast, fast_summary = _drawn(pay, august, set_based=True)
    slow, slow_summary = _drawn(pay, august, set_based=False)
    assert fast == slow
    assert fast_summary == slow_summary
    assert {r.entitlement for r in fast} == {"monthly", "arrears"}
    assert {r.method for r in fast} == {"account", "cash_pay_point", "cash_home"}
    assert fast_summary["before_window"] == 1 and fast_summary["left_off_count"] >= 2
