"""The process pages from the server's side: admins only, validation in one pass, drafts, deploy,
download, diff and migration pages, and hostile uploads refused fast with nothing stored."""

from __future__ import annotations

import io
import time

from sqlalchemy import func, select

from engine.models import Deployment
from tests.web.conftest import csrf_token
from workflows.processes.models import ProcessDraft

KEY = "beneficiary_case"


def _post_json(admin, path: str, body: dict):
    token = csrf_token(admin.get(f"/admin/processes/{KEY}/edit").get_data(as_text=True))
    return admin.client.post(path, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


def _source(admin) -> str:
    return admin.get(f"/admin/processes/{KEY}/source").get_data(as_text=True)


def _count(app, model) -> int:
    with app.extensions["ansinh"].db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_only_administrators_validate_and_see_every_problem_in_one_pass(browser):
    assert browser("an").get("/admin/processes").status_code == 404  # as every admin page: not there
    admin = browser("admin")
    assert "beneficiary_case" in admin.get("/admin/processes").get_data(as_text=True)
    xml = (
        _source(admin)
        .replace('value="P10WD"', 'value="ten days"')
        .replace('name="formKey" value="outreach"', 'name="formKey" value="no_such_form"')
    )
    xml = xml.replace(
        '<bpmn:lane id="lane_police" name="police">', '<bpmn:lane id="lane_police" name="cong_an">'
    )
    problems = _post_json(admin, f"/admin/processes/{KEY}/validate", {"xml": xml}).get_json()["problems"]
    by_element = {}
    for p in problems:
        by_element.setdefault(p["element"], []).append(p["message"])
    assert any("due rule" in m for m in by_element["outreach"])
    assert any("no_such_form" in m for m in by_element["outreach"])
    assert any("'cong_an' is not a role" in m for m in by_element["police_check"])
    assert all(p["line"] for p in problems)
    clean = _post_json(admin, f"/admin/processes/{KEY}/validate", {"xml": _source(admin)}).get_json()
    assert clean == {"problems": []}


def test_a_draft_is_kept_then_deployed_as_version_2_and_downloads(browser, app):
    admin = browser("admin")
    xml = _source(admin).replace('name="Tuyên truyền, vận động"', 'name="Vận động"')
    assert (
        _post_json(admin, f"/admin/processes/{KEY}/draft", {"xml": xml, "base_version": 1}).status_code == 200
    )
    assert 'name="Vận động"' in _source(admin)  # the editor opens the draft
    refused = _post_json(admin, f"/admin/processes/{KEY}/deploy", {"xml": xml.replace("P10WD", "soon")})
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["element"] == "outreach"
    deployed = _post_json(admin, f"/admin/processes/{KEY}/deploy", {"xml": xml})
    assert deployed.get_json() == {"version": 2, "created": True}
    assert _count(app, ProcessDraft) == 0
    download = admin.get(f"/admin/processes/{KEY}/download?version=2")
    assert download.headers["Content-Disposition"] == f'attachment; filename="{KEY}-v2.bpmn"'
    assert 'name="Vận động"' in download.get_data(as_text=True)
    assert 'name="Vận động"' not in admin.get(f"/admin/processes/{KEY}/source?version=1").get_data(
        as_text=True
    )
    assert admin.get(f"/admin/processes/{KEY}/diff").status_code == 200
    assert admin.get(f"/admin/processes/{KEY}/migrate").status_code == 200


HOSTILE = {
    "xxe.bpmn": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
    "laughs.bpmn": b'<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><d>&b;&b;</d>',
    "notxml.bpmn": b"\x89PNG\r\n\x1a\n not a diagram",
    "tasks.bpmn": (
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        b'<process id="p" isExecutable="true">'
        + b"".join(b'<task id="t%d"/>' % i for i in range(10_000))
        + b"</process></definitions>"
    ),
}


def test_hostile_uploads_get_a_4xx_fast_and_store_nothing(browser, app):
    admin = browser("admin")
    token = csrf_token(admin.get("/admin/processes").get_data(as_text=True))
    deployments = _count(app, Deployment)
    for name, content in HOSTILE.items():
        started = time.perf_counter()
        response = admin.client.post(
            "/admin/processes/upload",
            data={"csrf_token": token, "file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert 400 <= response.status_code < 500, name
        assert time.perf_counter() - started < 1.0, name
    started = time.perf_counter()  # 50 MB: refused from its Content-Length before it is read
    huge = admin.client.post(
        "/admin/processes/upload",
        data=b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>",
        content_type="multipart/form-data; boundary=x",
    )
    assert huge.status_code == 413 and time.perf_counter() - started < 1.0
    assert _count(app, ProcessDraft) == 0 and _count(app, Deployment) == deployments
