"""The monthly payout's pages, as each role's staff see them: the cycle (totals, lines, masked numbers,
files), the task page of every step, the provider's results imports with their progress and report, and
cash results entered on screen. One app for the module (each test drives cycles of its own months)."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date
from types import SimpleNamespace

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

import engine
from tests.conftest import BACKENDS, fresh_database
from tests.web.conftest import Browser, built_file, csrf_token
from tests.web.demo_app import CITY, COMMUNE_A, COMMUNE_B, PASSWORD, build_app
from tests.workflows.payouts.conftest import reconcile_form, results_csv
from workflows import payouts
from workflows.accounts import create_user, list_users
from workflows.demo import bulk
from workflows.payouts.common import money

PEOPLE = 60  # more than a page of lines (50)
ROLE_USERS = {"district_labour": "dung", "treasury": "khanh", "provider": "giang", "district_pc": "hung"}
OUTSIDERS = ("an", "em", "long")  # a commune, the police, another district's provider
STEPS = {  # the step a cycle is driven to → the role whose step it is
    "approve_list": "district_labour",
    "confirm_transfer": "treasury",
    "pay": "provider",
    "report_district_pc": "district_pc",
}


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("payout-pages")) as url:
        app = build_app(url)
        app.config["PAYOUT_IMPORT_CHUNK_ROWS"] = 7  # several chunks, so the progress bar has steps
        app.months = iter(range(18))  # a month of its own per cycle, while the demo's 2024 structure lasts
        ctx = app.extensions["ansinh"]
        with ctx.db.transaction() as conn:
            bulk.add_beneficiaries(conn, [COMMUNE_A, COMMUNE_B], PEOPLE, app.clock())
        yield app
        ctx.db.dispose()


@pytest.fixture
def cycle_at(app):
    """A new cycle of the city (a month of its own) driven to ``step``; returns its id."""
    ctx = app.extensions["ansinh"]

    def drive(step: str) -> int:
        index = next(app.months)  # 01/2024 to 06/2025: the demo organisation's agencies exist then
        month = date(2024 + index // 12, index % 12 + 1, 1)
        cycle_id = payouts.start_cycle(ctx, CITY, month).cycle_id
        if step == "approve_list":
            return cycle_id
        payouts.do_step(ctx, cycle_id, "approve_list", {"decision": "approve"})
        if step == "confirm_transfer":
            return cycle_id
        total = payouts.get_cycle(ctx, cycle_id).total_amount
        transfer = {"transfer_reference": "KB-0305", "transfer_date": "2024-03-05", "transfer_amount": total}
        payouts.do_step(ctx, cycle_id, "confirm_transfer", transfer)
        if step == "pay":
            return cycle_id
        lines = payouts.list_lines(ctx, cycle_id, limit=1000)
        account = [line for line in lines if line.method == "account"]
        payouts.import_results(ctx, cycle_id, "kq.csv", results_csv(account))
        payouts.record_cash(ctx, cycle_id, [(line.id, "paid") for line in lines if line.method != "account"])
        payouts.do_step(ctx, cycle_id, "pay", {"results_recorded": True})
        payouts.do_step(ctx, cycle_id, "reconcile", reconcile_form(0))
        payouts.do_step(ctx, cycle_id, "report_provider", {"report_sent_on": "2024-03-08"})
        return cycle_id

    return drive


@pytest.fixture(scope="module")
def people(app):
    """A logged-in browser per user, made once (logging in hashes a password)."""
    made: dict[str, Browser] = {}

    def person(username: str) -> Browser:
        if username not in made:
            made[username] = Browser(app, username)
        return made[username]

    return person


def upload(person: Browser, cycle_id: int, content: bytes, name: str, kind: str = "account"):
    page = f"/payouts/{cycle_id}/imports"
    token = csrf_token(person.get(page).get_data(as_text=True))
    return person.client.post(
        page, data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )  # fmt: skip


def wait_until_done(person: Browser, location: str) -> list[int]:
    """Polls the status partial as htmx would; returns the percentages seen."""
    seen = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        partial = person.get(f"{location}/status").get_data(as_text=True)
        seen.append(int(re.search(r'data-percent="(\d+)"', partial).group(1)))
        if "hx-trigger" not in partial:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the import did not finish: {seen[-5:]}")


@pytest.mark.parametrize("step", STEPS)
def test_each_role_reaches_its_step_from_the_inbox_and_outsiders_get_404(app, people, cycle_at, step):
    cycle_id = cycle_at(step)
    ctx = app.extensions["ansinh"]
    task = payouts.open_step(ctx, cycle_id, step)
    person = people(ROLE_USERS[STEPS[step]])
    inbox = person.get("/").get_data(as_text=True)
    key = payouts.get_cycle(ctx, cycle_id).business_key
    assert f"/tasks/{task.id}" in inbox and f"/payouts/key/{key}" in inbox
    assert person.get(f"/payouts/key/{key}").headers["Location"] == f"/payouts/{cycle_id}"

    page = person.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'href="/payouts/{cycle_id}"' in page and "Hoàn thành và chuyển tiếp" in page
    assert money(payouts.get_cycle(ctx, cycle_id).total_amount) in page  # the key figures beside the form
    cycle_page = person.get(f"/payouts/{cycle_id}")
    assert cycle_page.status_code == 200 and key in cycle_page.get_data(as_text=True)
    assert f"/tasks/{task.id}" in cycle_page.get_data(as_text=True)  # the open step, for whoever does it

    for role, username in ROLE_USERS.items():  # every payout role of the district sees the cycle
        assert people(username).get(f"/payouts/{cycle_id}").status_code == 200, role
        listed = people(username).get("/payouts/").get_data(as_text=True)  # and finds it again in the list
        assert f'href="/payouts/{cycle_id}"' in listed and "Thành phố Kon Tum" in listed, role
    assert 'href="/payouts/"' in inbox  # the menu's way to the list
    for username in OUTSIDERS:
        outsider = people(username)
        assert outsider.get(f"/payouts/{cycle_id}").status_code == 404
        assert outsider.get(f"/payouts/key/{key}").status_code == 404
        assert outsider.get(f"/tasks/{task.id}").status_code == 404
        assert outsider.get(f"/payouts/{cycle_id}/report.xlsx").status_code == 404
        assert outsider.get(f"/payouts/{cycle_id}/imports").status_code == 404
        assert f'href="/payouts/{cycle_id}"' not in outsider.get("/payouts/").get_data(as_text=True)
    assert people("an").get("/payouts/").status_code == 404  # a commune plays no payout role
    assert 'href="/payouts/"' not in people("an").get("/").get_data(as_text=True)
    assert people("dung").get(f"/payouts/{cycle_id}/imports").status_code == 404  # the provider's page
    assert people("hung").get("/payouts/999999").status_code == 404


def test_the_cycle_page_shows_totals_filters_pages_and_masks_numbers(app, people, cycle_at):
    cycle_id = cycle_at("pay")
    ctx = app.extensions["ansinh"]
    cycle = payouts.get_cycle(ctx, cycle_id)
    treasury = people("khanh").get(f"/payouts/{cycle_id}").get_data(as_text=True)
    assert money(cycle.total_amount) in treasury and re.search(r"\d{1,3}(\.\d{3})+ ₫", treasury)
    for total in [*cycle.by_method.values(), *cycle.by_commune.values()]:
        assert money(total.amount) in treasury
    assert "Xã Đắk Cấm" in treasury and "Xã Kroong" in treasury and "Tiền mặt tại điểm chi trả" in treasury
    assert cycle.list_hash in treasury and "05/03/2024" in treasury and "KB-0305" in treasury
    line = payouts.list_lines(ctx, cycle_id, method="account", limit=1)[0]
    assert line.beneficiary_cccd not in treasury and "********" + line.beneficiary_cccd[-4:] in treasury
    assert line.account_number not in treasury
    assert "/list.xlsx" not in treasury  # the payment list (numbers in full) is the provider's
    assert 'id="cash-form"' not in treasury and "/imports" not in treasury

    labour = people("dung").get(f"/payouts/{cycle_id}").get_data(as_text=True)
    assert line.beneficiary_cccd in labour and line.account_number not in labour
    provider = people("giang").get(f"/payouts/{cycle_id}").get_data(as_text=True)
    assert line.beneficiary_cccd in provider and line.account_number in provider
    with ctx.db.read() as db:
        viewers = db.execute(text("SELECT actor FROM history WHERE kind = 'pii_viewed'")).scalars().all()
    assert "giang" in viewers and "khanh" not in viewers

    page_two = people("khanh").get(f"/payouts/{cycle_id}?page=2").get_data(as_text=True)
    assert "Trang sau" in treasury and "Trang trước" not in treasury
    assert "Trang 2" in page_two and "Trang trước" in page_two and "Trang sau" not in page_two
    cash = people("khanh").get(f"/payouts/{cycle_id}?method=cash_pay_point").get_data(as_text=True)
    lines_table = cash.split('id="lines"')[1]
    assert "Tiền mặt tại điểm chi trả" in lines_table and "VBA" not in lines_table
    kroong = people("khanh").get(f"/payouts/{cycle_id}?commune={COMMUNE_B}").get_data(as_text=True)
    assert "Xã Đắk Cấm</td>" not in kroong.split('id="lines"')[1]
    found = people("khanh").get(f"/payouts/{cycle_id}?q=nguoi+huong+12").get_data(as_text=True)
    assert "BN1000012" in found and "BN1000011" not in found
    by_cccd = people("khanh").get(f"/payouts/{cycle_id}?q={line.beneficiary_cccd}").get_data(as_text=True)
    assert line.beneficiary_code in by_cccd
    nothing = people("khanh").get(f"/payouts/{cycle_id}?status=returned").get_data(as_text=True)
    assert "Không có dòng nào phù hợp." in nothing


def download(person: Browser, path: str):
    return built_file(person, path, r"/payouts/\d+/exports/\d+")


def test_downloads_give_xlsx_and_csv_to_those_who_may_have_them(app, people, cycle_at):
    cycle_id = cycle_at("pay")
    provider = people("giang")
    listing, location = download(provider, f"/payouts/{cycle_id}/list.xlsx")
    assert listing.status_code == 200 and listing.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in listing.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(listing.data)).active
    assert any(row[0] == "Mã dòng" for row in sheet.iter_rows(values_only=True))
    for other in ("khanh", "hung"):  # another's file (and its page) does not exist for them
        assert people(other).get(location).status_code == 404
        assert people(other).get(f"{location}/file").status_code == 404
    ctx = app.extensions["ansinh"]
    history = engine.instance_history(ctx, payouts.get_cycle(ctx, cycle_id).instance_id)
    exported = [e for e in history if e.kind == "pii_viewed" and (e.data or {}).get("file")]
    assert exported[-1].actor == "giang" and exported[-1].data["file"] == "payment_list.xlsx"
    as_csv, _ = download(provider, f"/payouts/{cycle_id}/list.csv")
    assert as_csv.mimetype == "text/csv" and as_csv.data.decode("utf-8-sig").startswith("Mã dòng,")
    assert provider.get(f"/payouts/{cycle_id}/list.pdf").status_code == 404
    assert people("khanh").get(f"/payouts/{cycle_id}/list.xlsx").status_code == 404
    for username in ("khanh", "hung", "giang"):
        report, _ = download(people(username), f"/payouts/{cycle_id}/report.xlsx")
        assert report.status_code == 200 and report.mimetype.endswith("spreadsheetml.sheet")
        load_workbook(io.BytesIO(report.data))
    returned, _ = download(people("khanh"), f"/payouts/{cycle_id}/returned.xlsx")
    assert returned.status_code == 200 and returned.mimetype.endswith("spreadsheetml.sheet")
    returned_csv, _ = download(people("khanh"), f"/payouts/{cycle_id}/returned.csv")
    assert returned_csv.mimetype == "text/csv" and "Lý do hoàn trả" in returned_csv.data.decode("utf-8-sig")


def test_importing_results_shows_progress_then_the_report_and_a_second_upload_changes_nothing(
    app, people, cycle_at
):
    cycle_id = cycle_at("pay")
    ctx = app.extensions["ansinh"]
    account = payouts.list_lines(ctx, cycle_id, method="account", limit=1000)
    failed = account[0].id
    content = results_csv(account, fail={failed}) + "999999,Đã chi,,GD9\r\n".encode()
    provider = people("giang")
    response = upload(provider, cycle_id, content, "ket-qua.csv")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.fullmatch(rf"/payouts/{cycle_id}/imports/\d+", location)
    seen = wait_until_done(provider, location)
    assert seen[-1] == 100 and seen == sorted(seen)

    page = provider.get(location).get_data(as_text=True)
    rows = len(account) + 1
    assert "100 %" in page and f"{rows}/{rows} dòng" in page
    assert f"{len(account)} dòng đã ghi nhận" in page and "1 dòng bị từ chối" in page
    assert "Không có dòng số 999999 trong danh sách kỳ này." in page  # the refused row, with why
    report = provider.get(f"{location}/report.csv")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert "Từ chối" in report.data.decode("utf-8-sig")
    after = payouts.list_lines(ctx, cycle_id, method="account", limit=1000)
    statuses = {line.id: line.status for line in after}
    assert statuses[failed] == "failed" and list(statuses.values()).count("paid") == len(account) - 1

    again = upload(provider, cycle_id, content, "ket-qua-lan-2.csv")
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "không có thay đổi nào" in html
    assert len(payouts.list_imports(ctx, cycle_id)) == 1
    listing = provider.get(f"/payouts/{cycle_id}/imports").get_data(as_text=True)
    assert "ket-qua.csv" in listing and "Xong" in listing
    assert people("khanh").get(location).status_code == 404
    assert people("khanh").get(f"{location}/status").status_code == 404
    other = cycle_at("pay")
    assert provider.get(f"/payouts/{other}/imports/{location.rsplit('/', 1)[1]}").status_code == 404


def test_a_broken_file_is_refused_with_what_is_wrong(app, people, cycle_at):
    cycle_id = cycle_at("pay")
    provider = people("giang")
    no_header = upload(provider, cycle_id, b"1,2,3\n4,5,6\n", "ket-qua.csv")
    assert no_header.status_code == 422
    assert "Không tìm thấy dòng tiêu đề" in no_header.get_data(as_text=True)
    assert "ket-qua.csv" in no_header.get_data(as_text=True)
    not_excel = upload(provider, cycle_id, b"PK\x03\x04 not really a workbook", "ket-qua.xlsx")
    assert not_excel.status_code == 422 and "Không đọc được tệp Excel" in not_excel.get_data(as_text=True)
    latin = upload(provider, cycle_id, "Mã dòng,Result\n1,paid\n".encode("latin-1"), "kq.csv")
    assert latin.status_code == 422 and "UTF-8" in latin.get_data(as_text=True)
    pdf = upload(provider, cycle_id, b"%PDF-1.4", "ket-qua.pdf")
    assert pdf.status_code == 422 and "chỉ nhận tệp .csv hoặc .xlsx" in pdf.get_data(as_text=True)
    token = csrf_token(provider.get(f"/payouts/{cycle_id}/imports").get_data(as_text=True))
    empty = provider.client.post(f"/payouts/{cycle_id}/imports", data={"csrf_token": token})
    assert empty.status_code == 422 and "Vui lòng chọn tệp kết quả" in empty.get_data(as_text=True)
    assert payouts.list_imports(app.extensions["ansinh"], cycle_id) == []

    early = cycle_at("confirm_transfer")  # no money yet: no results
    refused = upload(provider, early, results_csv([]), "ket-qua.csv")
    assert refused.status_code == 422 and "chưa chuyển kinh phí" in refused.get_data(as_text=True)


def test_an_xlsx_results_file_and_cash_results_on_screen(app, people, cycle_at):
    cycle_id = cycle_at("pay")
    ctx = app.extensions["ansinh"]
    provider = people("giang")
    account = payouts.list_lines(ctx, cycle_id, method="account", limit=1000)
    book = Workbook()
    book.active.append(["Mã dòng", "Kết quả", "Lý do", "Mã giao dịch"])
    for line in account:
        book.active.append([line.id, "Đã chi", None, f"GD{line.id}"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(provider, cycle_id, buffer.getvalue(), "ket-qua.xlsx")
    assert wait_until_done(provider, response.headers["Location"])[-1] == 100

    page = provider.get(f"/payouts/{cycle_id}?method=cash_pay_point").get_data(as_text=True)
    cash = payouts.list_lines(ctx, cycle_id, method="cash_pay_point", limit=1000)
    assert all(f'name="result-{line.id}"' in page for line in cash) and 'form="cash-form"' in page
    assert f'name="result-{account[0].id}"' not in provider.get(f"/payouts/{cycle_id}").get_data(as_text=True)
    choices = {f"result-{line.id}": "paid" for line in cash[1:]}
    choices |= {f"result-{cash[0].id}": "not_collected", f"result-{account[0].id}": "paid"}
    assert people("khanh").post(f"/payouts/{cycle_id}/cash", choices).status_code == 404
    asked = provider.post(f"/payouts/{cycle_id}/cash", choices, from_page=f"/payouts/{cycle_id}")
    question = asked.get_data(as_text=True)  # nothing is recorded before the person sees what it adds up to
    assert asked.status_code == 200 and "Xác nhận kết quả chi tiền mặt" in question
    paid_total = money(sum(line.amount for line in cash[1:]) + account[0].amount)
    assert f"Ghi «Đã chi» cho {len(cash)} dòng, tổng {paid_total}." in question
    assert f"Ghi «Không nhận» cho 1 dòng, tổng {money(cash[0].amount)}." in question
    assert payouts.list_lines(ctx, cycle_id, status="cash_paid", limit=1000) == []
    done = provider.post(f"/payouts/{cycle_id}/cash", {**choices, "confirmed": "yes"}, f"/payouts/{cycle_id}")
    assert done.status_code == 302 and "/imports/" in done.headers["Location"]
    report = provider.get(done.headers["Location"]).get_data(as_text=True)
    assert f"{len(cash)} dòng đã ghi nhận" in report and "1 dòng bị từ chối" in report
    assert "không chi tiền mặt lần nữa" in report  # the account line already paid: never twice
    statuses = {line.id: line.status for line in payouts.list_lines(ctx, cycle_id, limit=1000)}
    assert statuses[cash[0].id] == "not_collected" and statuses[cash[1].id] == "cash_paid"
    assert statuses[account[0].id] == "paid"

    outside = {"next": "//elsewhere.example/"}  # back to the cycle's page, never to another site
    nothing = provider.post(f"/payouts/{cycle_id}/cash", outside, from_page=f"/payouts/{cycle_id}")
    assert nothing.status_code == 302 and nothing.headers["Location"] == f"/payouts/{cycle_id}"
    back = provider.get(nothing.headers["Location"]).get_data(as_text=True)
    assert "Chưa chọn kết quả cho dòng nào." in back
    no_token = provider.client.post(f"/payouts/{cycle_id}/cash", data={f"result-{cash[0].id}": "paid"})
    assert no_token.status_code == 400

    collected = upload(provider, cycle_id, results_csv([cash[0]]), "tien-mat.csv", kind="cash")
    assert wait_until_done(provider, collected.headers["Location"])[-1] == 100
    assert len(payouts.list_lines(ctx, cycle_id, status="cash_paid", limit=1000)) == len(cash)


def test_the_treasury_confirms_the_transfer_on_the_task_page(app, people, cycle_at):
    cycle_id = cycle_at("confirm_transfer")
    ctx = app.extensions["ansinh"]
    task = payouts.open_step(ctx, cycle_id, "confirm_transfer")
    total = payouts.get_cycle(ctx, cycle_id).total_amount
    treasury = people("khanh")
    form = {"transfer_reference": "KB-0306", "transfer_date": "2024-03-06", "transfer_amount": "1.000"}
    wrong = treasury.post(f"/tasks/{task.id}", form, from_page=f"/tasks/{task.id}")
    assert (
        wrong.status_code == 422
        and f"phải bằng tổng danh sách đã duyệt ({money(total)})" in wrong.get_data(as_text=True)
    )
    right = treasury.post(
        f"/tasks/{task.id}", {**form, "transfer_amount": money(total)}, from_page=f"/tasks/{task.id}"
    )
    assert right.status_code == 302
    assert payouts.get_cycle(ctx, cycle_id).status == "funded"
    assert payouts.open_step(ctx, cycle_id).bpmn_id == "pay"


def test_the_cycle_page_in_english(people, cycle_at):
    cycle_id = cycle_at("confirm_transfer")
    person = people("hung")
    person.post("/language", {"lang": "en", "next": "/"})
    try:
        page = person.get(f"/payouts/{cycle_id}").get_data(as_text=True)
        assert "Payout of" in page and "By payment method" in page and "Bank transfer" in page
        assert "Theo hình thức chi trả" not in page
    finally:
        person.post("/language", {"lang": "vi", "next": "/"})


def test_blank_cash_rows_of_the_payment_list_are_skipped_and_refused_rows_show_their_line(
    app, people, cycle_at
):
    """The provider sends the payment list back with the transfers' results: the cash lines, left blank,
    are skipped (not refused), and a refused row shows the line code the file gave and why."""
    cycle_id = cycle_at("pay")
    provider = people("giang")
    listed = download(provider, f"/payouts/{cycle_id}/list.csv")[0].data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(listed)))
    header, body = rows[0], rows[1:]
    method, result = header.index("Hình thức"), header.index("Kết quả")
    cash_rows = [row for row in body if row[method] != "Chuyển khoản"]
    for row in body:
        if row[method] == "Chuyển khoản":
            row[result] = "Đã chi"
    body.append(["999999", *[""] * (result - 1), "Đã chi", "", ""])
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *body])
    response = upload(provider, cycle_id, out.getvalue().encode(), "danh-sach-co-ket-qua.csv")
    wait_until_done(provider, response.headers["Location"])
    page = provider.get(response.headers["Location"]).get_data(as_text=True)
    assert cash_rows and f"{len(cash_rows)} dòng chưa có kết quả (bỏ qua), 1 dòng bị từ chối." in page
    refused = page.split("Các dòng bị từ chối")[1]
    assert "<td>999999</td>" in refused and "Không có dòng số 999999 trong danh sách kỳ này." in refused
    assert "—" not in refused
    report = provider.get(f"{response.headers['Location']}/report.csv").data.decode("utf-8-sig")
    assert report.count(",Bỏ qua,") == len(cash_rows)


def test_the_cycle_page_and_the_payment_step_count_the_same_lines_without_a_result(app, people, cycle_at):
    cycle_id = cycle_at("pay")
    ctx = app.extensions["ansinh"]
    account = payouts.list_lines(ctx, cycle_id, method="account", limit=1000)
    payouts.import_results(ctx, cycle_id, "kq.csv", results_csv(account[:3], fail={account[0].id}))
    waiting = [line for line in payouts.list_lines(ctx, cycle_id, limit=1000) if line.status == "pending"]
    task = payouts.open_step(ctx, cycle_id, "pay")
    provider = people("giang")
    step = provider.post(f"/tasks/{task.id}", {"results_recorded": "on"}, from_page=f"/tasks/{task.id}")
    amount = money(sum(line.amount for line in waiting))
    assert step.status_code == 422
    assert f"Còn {len(waiting)} dòng chưa có kết quả chi trả ({amount})." in step.get_data(as_text=True)
    for page in (f"/payouts/{cycle_id}", f"/tasks/{task.id}"):  # the cycle, and the figures beside the step
        html = provider.get(page).get_data(as_text=True)
        assert re.search(
            rf"Dòng chưa có kết quả</t?d[dt]?>\s*<(td|dd)[^>]*>{len(waiting)} · {re.escape(amount)}", html
        ), page


def test_the_province_department_and_the_administrator_read_every_cycle(app, people, cycle_at):
    cycle_id = cycle_at("pay")
    ctx = app.extensions["ansinh"]
    with ctx.db.write() as session:
        if "sol" not in {user.username for user in list_users(session, "2024:62/so-ldtbxh")}:
            create_user(session, "sol", PASSWORD, "2024:62/so-ldtbxh", app.clock.now, full_name="Cán bộ Sở")
    line = payouts.list_lines(ctx, cycle_id, method="account", limit=1)[0]
    for username in ("sol", "admin"):
        person = people(username)
        assert 'href="/payouts/"' in person.get("/").get_data(as_text=True), username
        listed = person.get("/payouts/")
        assert listed.status_code == 200 and f'href="/payouts/{cycle_id}"' in listed.get_data(as_text=True)
        page = person.get(f"/payouts/{cycle_id}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Thành phố Kon Tum" in html, username
        assert line.beneficiary_cccd not in html and line.account_number not in html  # read-only, masked
        assert 'id="cash-form"' not in html and "/imports" not in html and "/list.xlsx" not in html
        assert download(person, f"/payouts/{cycle_id}/report.xlsx")[0].status_code == 200
        assert person.get(f"/payouts/{cycle_id}/list.csv").status_code == 404
        assert person.get(f"/payouts/{cycle_id}/imports").status_code == 404
        cash = person.post(f"/payouts/{cycle_id}/cash", {f"result-{line.id}": "paid", "confirmed": "yes"})
        assert cash.status_code == 404


def test_the_scheduler_starts_the_months_cycles_in_process_and_alone(app, monkeypatch):
    import web.cli
    import workflows.scheduler
    from web import create_app
    from workflows.jobs import WORKER

    heard = []
    monkeypatch.setattr(workflows.scheduler, "run_blocking", lambda *a, **kw: heard.append(kw))
    monkeypatch.setattr(workflows.scheduler, "start_background", lambda *a, **kw: heard.append(kw))
    web.cli.cmd_scheduler(SimpleNamespace(ctx=lambda: app.extensions["ansinh"], interval=30))
    assert WORKER not in app.extensions["ansinh"].extensions  # stopped and forgotten: later jobs still run
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x", "SCHEDULER": True})
    other.extensions["ansinh"].db.dispose()
    assert [kw["start_monthly_cycles"] for kw in heard] == [payouts.start_monthly_cycles] * 2
