"""The rules for what a result row does to a line, and reading results files — plain functions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.payouts.outcomes import (
    ACCOUNT,
    APPLIED,
    CASH,
    DUPLICATE,
    REFUSED,
    LineState,
    ResultRow,
    decide,
    transition,
)
from workflows.payouts.results_file import ImportRefused, parse


def line(status="pending", method="account", ref=None, id=1, code="BN1", cccd="062040000001"):
    return LineState(id, code, cccd, None, method, status, ref)


@pytest.mark.parametrize(
    ("kind", "method", "status", "result", "expected"),
    [
        (ACCOUNT, "account", "pending", "paid", ("paid", APPLIED)),
        (ACCOUNT, "account", "pending", "failed", ("failed", APPLIED)),
        (ACCOUNT, "account", "paid", "paid", (None, DUPLICATE)),
        (ACCOUNT, "account", "paid", "failed", (None, REFUSED)),
        (ACCOUNT, "account", "failed", "paid", (None, REFUSED)),
        (ACCOUNT, "account", "cash_pending", "paid", (None, REFUSED)),
        (ACCOUNT, "cash_pay_point", "pending", "paid", (None, REFUSED)),
        (ACCOUNT, "account", "pending", "not_collected", (None, REFUSED)),
        (CASH, "cash_home", "pending", "paid", ("cash_paid", APPLIED)),
        (CASH, "cash_pay_point", "pending", "not_collected", ("not_collected", APPLIED)),
        (CASH, "account", "cash_pending", "paid", ("cash_paid", APPLIED)),
        (CASH, "cash_home", "not_collected", "paid", ("cash_paid", APPLIED)),  # came later, still in time
        (CASH, "cash_home", "cash_paid", "not_collected", (None, REFUSED)),
        (CASH, "account", "paid", "paid", (None, REFUSED)),  # never both channels
        (CASH, "account", "pending", "paid", (None, REFUSED)),
        (CASH, "account", "failed", "paid", (None, REFUSED)),  # not yet turned into a cash line
        (CASH, "cash_home", "pending", "failed", (None, REFUSED)),
        (ACCOUNT, "account", "held", "paid", (None, REFUSED)),
        (CASH, "cash_home", "returned", "paid", (None, REFUSED)),
    ],
)
def test_transitions(kind, method, status, result, expected):
    new_status, outcome, _ = transition(kind, line(status, method), ResultRow(1, 1, result=result))
    assert (new_status, outcome) == expected


def test_a_line_named_twice_in_one_file_changes_once():
    lines = {1: line()}
    outcomes, changes = decide(
        ACCOUNT, [ResultRow(2, 1, result="paid"), ResultRow(3, 1, result="paid")], lines
    )
    assert [o.outcome for o in outcomes] == [APPLIED, DUPLICATE]
    assert [(c.line_id, c.expected, c.status) for c in changes] == [(1, "pending", "paid")]


def test_a_cccd_names_every_line_of_that_beneficiary():
    lines = {1: line(id=1), 2: line(id=2)}  # the month and its arrears
    outcomes, changes = decide(ACCOUNT, [ResultRow(2, cccd="062040000001", result="paid")], lines)
    assert outcomes[0].outcome == APPLIED and outcomes[0].line_ids == (1, 2)
    assert outcomes[0].message == "Đã ghi nhận: đã chi qua tài khoản (2 dòng)."
    assert len(changes) == 2


STATUSES = ["pending", "paid", "failed", "cash_pending", "cash_paid", "not_collected", "held", "returned"]
rows = st.lists(
    st.tuples(
        st.sampled_from([ACCOUNT, CASH]),
        st.integers(1, 3),
        st.sampled_from(["paid", "failed", "not_collected"]),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(methods=st.lists(st.sampled_from(["account", "cash_home"]), min_size=3, max_size=3), results=rows)
def test_whatever_arrives_a_paid_line_stays_paid_by_one_channel(methods, results):
    lines = {i: line(method=methods[i - 1], id=i, code=f"BN{i}", cccd=None) for i in (1, 2, 3)}
    history = {i: ["pending"] for i in lines}
    for kind, line_id, result in results:
        if kind == CASH and lines[line_id].status == "failed":
            lines[line_id].status = "cash_pending"  # what closing the payment step does
            history[line_id].append("cash_pending")
        _, changes = decide(kind, [ResultRow(1, line_id, result=result)], lines)
        for change in changes:
            history[change.line_id].append(change.status)
    for states in history.values():
        assert sum(s in ("paid", "cash_paid") for s in states) <= 1
        if "paid" in states:
            assert states[-1] == "paid"
        assert not ({"paid", "cash_paid"} <= set(states))


def test_reading_a_csv_with_semicolons_and_vietnamese_headers():
    content = "Mã dòng;Kết quả;Lý do;Mã giao dịch\n1;Đã chi;;GD1\n2;THẤT BẠI;Sai số tài khoản;\n\n".encode(
        "utf-8-sig"
    )
    parsed = parse("kq.csv", content)
    assert [(r.row_no, r.line_id, r.result, r.reason, r.reference) for r in parsed] == [
        (2, 1, "paid", None, "GD1"),
        (3, 2, "failed", "Sai số tài khoản", None),
    ]


def test_reading_english_headers_and_a_title_above_them():
    content = (
        b"Results of August\n\nline_id,CCCD,result,reason,reference\n7,,paid,,T7\n,62040000001,failed,x,\n"
    )
    parsed = parse("kq.csv", content)
    assert [(r.line_id, r.cccd, r.result) for r in parsed] == [
        (7, None, "paid"),
        (None, "062040000001", "failed"),
    ]


def test_a_file_without_a_header_is_refused():
    with pytest.raises(ImportRefused, match="Không tìm thấy dòng tiêu đề"):
        parse("kq.csv", b"1,2,3\n4,5,6\n")


def test_the_result_column_is_preferred_over_a_banks_status_column():
    content = "Trạng thái,Mã dòng,Kết quả\nĐã xử lý,5,Thất bại\n".encode()
    (row,) = parse("kq.csv", content)
    assert (row.line_id, row.result, row.error) == (5, "failed", None)
