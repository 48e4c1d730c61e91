"""Finding any case: by name without diacritics, code, CCCD, village, category and status (closed ones
too), within the office's scope, paged; the inbox search finds case codes."""

from __future__ import annotations

import engine
from tests.web.demo_app import COMMUNE_A, COMMUNE_B
from workflows.case import service as cases


def open_case(app, code: str, name: str, area: str = COMMUNE_A, **details):
    ctx = app.extensions["ansinh"]
    return cases.open_case(
        ctx, code, area, name, "elderly_80_plus_no_pension", village="Thôn Kon Hra", **details
    )


def test_cases_are_found_by_each_filter_with_their_step_agency_and_deadline(app, browser):
    open_case(app, "23311-000001", "Đặng Thị Ánh", cccd="062150123456", date_of_birth=None)
    open_case(app, "23311-000002", "Y Thị Hoa")
    closed = open_case(app, "23311-000003", "Đặng Văn Bình")
    engine.deliver_message(
        app.extensions["ansinh"], "beneficiary_exit", "23311-000003", {"reason": "deceased"}
    )
    open_case(app, "23314-000001", "Đặng Thị Lan", area=COMMUNE_B)
    an = browser("an")
    html = an.get("/cases?name=dang").get_data(as_text=True)
    assert (
        "Đặng Thị Ánh" in html and "Đặng Văn Bình" in html and "Đặng Thị Lan" not in html
    )  # not their commune
    assert "Tuyên truyền, vận động" in html and "UBND xã Đắk Cấm" in html and "Đã đóng hồ sơ" in html
    assert "Y Thị Hoa" in an.get("/cases?code=23311-000002").get_data(as_text=True)
    assert "Đặng Thị Ánh" in an.get("/cases?cccd=062150123456").get_data(as_text=True)
    only_open = an.get("/cases?name=dang&status=open").get_data(as_text=True)
    assert "Đặng Văn Bình" not in only_open and "Đặng Thị Ánh" in only_open
    assert "Đặng Văn Bình" in an.get("/cases?status=closed").get_data(as_text=True)
    assert closed.instance_id
    assert "Y Thị Hoa" in an.get("/cases?village=kon hra&category=elderly_80_plus_no_pension").get_data(
        as_text=True
    )
    district = browser("dung").get("/cases?name=dang").get_data(as_text=True)
    assert "Đặng Thị Lan" in district  # the city's labour office sees both communes
    assert "Trang sau" not in district


def test_the_inbox_search_finds_a_case_code(app, browser):
    open_case(app, "23311-000007", "Y Thị Hoa")
    open_case(app, "23311-000008", "A Thị Mai")
    html = browser("an").get("/?q=23311-000007").get_data(as_text=True)
    assert "Y Thị Hoa" in html and "A Thị Mai" not in html
