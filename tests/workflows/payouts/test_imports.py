"""Results imports pay everybody exactly once: the same file twice, overlapping files, conflicting rows,
rows by CCCD, XLSX as well as CSV, cash recorded on screen — and a per-row report saying why a row was
refused, in Vietnamese."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, update
from sqlalchemy.exc import IntegrityError

from workflows import payouts
from workflows.payouts import files
from workflows.payouts.models import PayoutLine

from .conftest import results_csv


@pytest.fixture
def funded(pay):
    pay.add(10)  # nine account lines, one cash line (n = 10)
    cycle_id = pay.start()
    pay.approve_and_fund(cycle_id)
    return pay, cycle_id


def paid_ids(pay, cycle_id) -> list[int]:
    return sorted(line.id for line in pay.lines(cycle_id, status=["paid", "cash_paid"]))


def test_the_same_file_twice_pays_nobody_twice(funded):
    pay, cycle_id = funded
    first = pay.import_account(cycle_id)
    again = pay.import_account(cycle_id, name="ket-qua (1).csv")
    assert (first.applied, first.duplicates, first.refused, first.already_imported) == (9, 0, 0, False)
    assert again.already_imported and again.import_id == first.import_id
    assert len(paid_ids(pay, cycle_id)) == 9
    assert pay.cycle(cycle_id).books.paid_account == sum(
        line.amount for line in pay.lines(cycle_id, method="account")
    )


def test_a_file_of_one_chunk_is_recorded_applied_and_reported_in_one_transaction(funded):
    pay, cycle_id = funded
    ctx = pay.ctx()
    commits = []
    event.listen(ctx.db.engine, "commit", commits.append)
    content = results_csv(pay.lines(cycle_id, method="account"))
    report = payouts.import_results(ctx, cycle_id, "ket-qua.csv", content)
    assert (report.status, report.rows_done, report.applied, len(commits)) == ("done", 9, 9, 1)
    again = payouts.import_results(ctx, cycle_id, "ket-qua.csv", content)
    assert again.already_imported and (again.applied, len(commits)) == (9, 2)
    assert len(paid_ids(pay, cycle_id)) == 9


def test_overlapping_files_pay_the_shared_lines_once(funded):
    pay, cycle_id = funded
    account = pay.lines(cycle_id, method="account")
    first = pay.import_account(cycle_id, name="dot-1.csv", lines=account[:6])
    second = pay.import_account(cycle_id, name="dot-2.csv", lines=account[3:], reference="GD")
    assert (first.applied, second.applied, second.duplicates) == (6, 3, 3)
    rows = payouts.import_rows(pay.ctx(), second.import_id, outcomes=["duplicate"])
    assert [message for *_, message in rows] == [
        "Đã ghi nhận trước đó (đã chi qua tài khoản); không ghi lần hai."
    ] * 3
    assert len(paid_ids(pay, cycle_id)) == 9


def test_conflicting_results_are_refused_row_by_row(funded):
    pay, cycle_id = funded
    account = pay.lines(cycle_id, method="account")
    pay.import_account(cycle_id, lines=account[:2])
    conflicting = pay.import_account(
        cycle_id, name="sai.csv", lines=account[:2], fail={account[0].id}, reference="X"
    )
    assert (conflicting.applied, conflicting.refused) == (0, 2)
    messages = [m for *_, m in payouts.import_rows(pay.ctx(), conflicting.import_id)]
    assert messages == [
        "Dòng đã được chi qua tài khoản; không thể ghi thất bại.",
        f"Dòng đã được chi với mã giao dịch GD{account[1].id}; không chi lần hai.",
    ]


def test_rows_by_cccd_with_the_leading_zero_a_spreadsheet_drops(funded):
    pay, cycle_id = funded
    account = pay.lines(cycle_id, method="account")
    lines = [type("Row", (), {"id": int(line.beneficiary_cccd)}) for line in account]  # 62…: 11 digits
    content = results_csv(lines, header=("Số CCCD", "Kết quả", "Lý do", "Mã giao dịch"))
    report = payouts.import_results(pay.ctx(), cycle_id, "theo-cccd.csv", content)
    assert (report.applied, report.refused) == (9, 0)
    guardian = next(line for line in account if line.recipient_kind == "guardian")
    by_recipient = results_csv(
        [type("Row", (), {"id": guardian.recipient_cccd})], header=("CCCD", "Kết quả", "a", "b")
    )
    again = payouts.import_results(pay.ctx(), cycle_id, "nguoi-nhan.csv", by_recipient)
    assert (again.duplicates, again.refused) == (1, 0)


def test_an_xlsx_payment_list_filled_in_by_the_provider(funded):
    pay, cycle_id = funded
    sheet_bytes = files.payment_list_xlsx(pay.ctx(), cycle_id, method="account")
    book = load_workbook(io.BytesIO(sheet_bytes))
    sheet = book.active
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Mã dòng")
    columns = {sheet.cell(header_row, c).value: c for c in range(1, sheet.max_column + 1)}
    for row in range(header_row + 1, sheet.max_row + 1):
        sheet.cell(row, columns["Kết quả"], "Thất bại" if row == header_row + 1 else "Đã chi")
        sheet.cell(row, columns["Mã giao dịch"], f"VBA{row}")
    filled = io.BytesIO()
    book.save(filled)
    report = payouts.import_results(pay.ctx(), cycle_id, "ket-qua.xlsx", filled.getvalue())
    assert (report.rows_total, report.applied, report.refused) == (9, 9, 0)
    assert len(pay.lines(cycle_id, status="failed")) == 1


def test_a_line_is_never_paid_both_by_account_and_in_cash(funded):
    pay, cycle_id = funded
    account = pay.lines(cycle_id, method="account")
    (cash,) = [line for line in pay.lines(cycle_id) if line.method != "account"]
    pay.import_account(cycle_id, lines=account)
    twice = payouts.record_cash(pay.ctx(), cycle_id, [(account[0].id, "paid"), (cash.id, "paid")])
    assert (twice.applied, twice.refused) == (1, 1)
    (row,) = payouts.import_rows(pay.ctx(), twice.import_id, outcomes=["refused"])
    assert row[3] == "Dòng đã được chi qua tài khoản; không chi tiền mặt lần nữa."
    by_account = pay.import_account(cycle_id, name="tien-mat.csv", lines=[cash])
    assert by_account.refused == 1
    assert payouts.import_rows(pay.ctx(), by_account.import_id)[0][3] == (
        "Dòng chi tiền mặt: không nhận kết quả chuyển khoản."
    )
    statuses = {line.id: line.status for line in pay.lines(cycle_id)}
    assert statuses[account[0].id] == "paid" and statuses[cash.id] == "cash_paid"


def test_rows_that_cannot_be_used_are_reported_in_vietnamese(funded):
    pay, cycle_id = funded
    line = pay.lines(cycle_id, method="account")[0]
    content = (
        "Mã dòng;Số CCCD;Kết quả;Lý do;Mã giao dịch\n"
        f"{line.id};;đã chi;;GD1\n"
        "999999;;đã chi;;GD2\n"
        f"{line.id + 1};;không rõ;;\n"
        ";;đã chi;;\n"
        ";12345;đã chi;;\n"
        f"{line.id + 2};;;;\n"
        ";062099999999;thất bại;;\n"
    ).encode()
    report = payouts.import_results(pay.ctx(), cycle_id, "loi.csv", content)
    assert (report.rows_total, report.applied, report.refused, report.skipped) == (7, 1, 5, 1)
    refused = payouts.import_rows(pay.ctx(), report.import_id, ["refused"])
    assert [(row_no, ids, m) for row_no, ids, _, m in refused] == [
        (3, "999999", "Không có dòng số 999999 trong danh sách kỳ này."),  # the line code the file gave
        (4, str(line.id + 1), "Kết quả «không rõ» không hợp lệ (đã chi / thất bại / không nhận)."),
        (5, None, "Thiếu mã dòng hoặc số CCCD."),
        (6, None, "Số CCCD «12345» phải gồm 12 chữ số."),
        (8, None, "Không có người hưởng có số CCCD 062099999999 trong danh sách kỳ này."),
    ]
    assert payouts.import_rows(pay.ctx(), report.import_id, ["skipped"]) == [
        (7, str(line.id + 2), "skipped", "Chưa có kết quả chi trả: dòng bỏ qua.")
    ]
    text = files.import_report_csv(pay.ctx(), report.import_id).decode("utf-8-sig")
    assert text.splitlines()[0] == "Dòng trong tệp,Mã dòng,Kết quả xử lý,Ghi chú"
    assert "Từ chối,Không có dòng số 999999" in text


def test_a_large_file_is_applied_in_chunks_with_progress(funded):
    pay, cycle_id = funded
    seen = []
    report = pay.import_account(cycle_id, chunk_rows=2, on_progress=lambda r: seen.append(r.rows_done))
    assert (report.rows_done, report.rows_total, report.progress, report.applied) == (9, 9, 1.0, 9)
    assert seen == [2, 4, 6, 8, 9]
    assert payouts.get_import(pay.ctx(), report.import_id).status == "done"
    assert [r.import_id for r in payouts.list_imports(pay.ctx(), cycle_id)] == [report.import_id]


def test_results_are_refused_before_the_treasury_has_transferred(pay):
    pay.add(3)
    cycle_id = pay.start()
    with pytest.raises(payouts.ImportRefused, match="Kho bạc chưa chuyển kinh phí"):
        pay.import_account(cycle_id)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Tệp rỗng."),
        ("Họ tên,Số tiền\nA,1\n".encode(), "Không tìm thấy dòng tiêu đề"),
        ("Mã dòng,Kết quả\n1,Đã chi\n".encode("utf-16"), "UTF-8"),
        (b"PK\x03\x04 not really a workbook", "Không đọc được tệp Excel"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(funded, content, message):
    pay, cycle_id = funded
    with pytest.raises(payouts.ImportRefused, match=message):
        payouts.import_results(pay.ctx(), cycle_id, "tep.csv", content)


def test_the_database_itself_refuses_a_line_paid_the_wrong_way(funded):
    pay, cycle_id = funded
    (cash,) = [line for line in pay.lines(cycle_id) if line.method != "account"]
    account = pay.lines(cycle_id, method="account")[0]
    for line_id, status in ((cash.id, "paid"), (account.id, "cash_paid")):
        with pytest.raises(IntegrityError), pay.ctx().db.transaction() as conn:
            conn.execute(update(PayoutLine).where(PayoutLine.id == line_id).values(status=status))


def test_a_queued_import_is_applied_by_whichever_process_runs_its_job(funded):
    from engine.jobs import JobWorker
    from workflows import jobs

    pay, cycle_id = funded
    here = pay.ctx()
    here.extensions[jobs.WORKER] = JobWorker(here, jobs.kinds)  # never started: this process runs nothing
    content = results_csv(pay.lines(cycle_id, method="account"))
    report = payouts.queue_import(here, cycle_id, "kq.csv", content, "account", "giang", chunk_rows=4)
    assert (report.rows_done, report.rows_total) == (0, 9)
    assert payouts.import_job(here, report.import_id).status == "queued"
    assert payouts.queue_import(here, cycle_id, "kq.csv", content, "account", "giang", 4) == report  # one job

    assert jobs.run_pending(pay.ctx()) == 1  # another process's worker
    done = payouts.get_import(here, report.import_id)
    assert (done.status, done.applied) == ("done", 9)
    job = payouts.import_job(here, report.import_id)
    assert (job.status, job.done, job.total, job.result["applied"]) == ("done", 9, 9, 9)
    assert job.actor == "giang" and len(paid_ids(pay, cycle_id)) == 9
