"""The police download their pending records and upload the results through the pages."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.web.conftest import Browser, csrf_token
from workflows.tasks import submit_task


def _to_police(app, case_at_registration):
    import engine
    from tests.workflows.conftest import REGISTRATION

    ctx = app.extensions["ansinh"]
    submit_task(ctx, case_at_registration.id, {**REGISTRATION, "consent": True})
    (review,) = engine.list_tasks(ctx, role="district_labour")
    submit_task(ctx, review.id, {"decision": "approve"})


def test_police_download_fill_and_upload_the_list(app, case_at_registration):
    _to_police(app, case_at_registration)
    police = Browser(app, "em")
    page = police.get("/police/bulk")
    assert page.status_code == 200 and "Làm sạch dữ liệu theo danh sách" in page.get_data(as_text=True)
    download = police.get("/police/pending.xlsx")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(download.data))
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    assert "Số CCCD" in headers and "Kết quả" in headers
    values = [c.value for c in sheet[2]]
    assert "062150123456" in values
    sheet.cell(2, headers.index("Kết quả") + 1, "Khớp đúng với CSDL dân cư")
    filled = io.BytesIO()
    workbook.save(filled)

    token = csrf_token(page.get_data(as_text=True))
    upload = police.client.post(
        "/police/bulk", data={"csrf_token": token, "file": (io.BytesIO(filled.getvalue()), "ket-qua.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    html = upload.get_data(as_text=True)
    assert upload.status_code == 200 and "1 dòng" in html
    import re

    link = re.search(r'href="(/police/results/[^"]+)"', html).group(1)
    results = police.get(link)
    assert results.status_code == 200
    assert Browser(app, "an").get(link).status_code == 404  # only its owner may fetch it

    again = police.client.post(
        "/police/bulk", data={"csrf_token": token, "file": (io.BytesIO(filled.getvalue()), "ket-qua.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert again.status_code == 200 and "đã xử lý" in again.get_data(as_text=True).lower()


def test_a_broken_file_is_refused_clearly(app):
    police = Browser(app, "em")
    token = csrf_token(police.get("/police/bulk").get_data(as_text=True))
    response = police.client.post(
        "/police/bulk", data={"csrf_token": token, "file": (io.BytesIO(b"not a spreadsheet"), "x.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 422 and "flash error" in response.get_data(as_text=True)


def test_only_the_police_have_the_bulk_pages(app):
    assert Browser(app, "an").get("/police/bulk").status_code == 404
    assert Browser(app, "an").get("/police/pending.xlsx").status_code == 404
