"""Against BREACH, no compressed page carries the session's form token verbatim: every response carries it
masked with a fresh pad, and every masked copy is accepted (forms, htmx's X-CSRFToken header, the task
page's own check that keeps what was typed); an altered or another session's token is refused."""

from __future__ import annotations

import re

from tests.web.conftest import Browser, csrf_token
from tests.web.test_task_handoff import REGISTERED
from web.csrf_masking import mask, unmask


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="csrf_token" value="([^"]+)"', html)


def test_two_responses_carry_different_tokens_and_both_are_accepted(app):
    an = Browser(app, "an")
    first, second = (
        csrf_token(an.get("/").get_data(as_text=True)),
        csrf_token(an.get("/").get_data(as_text=True)),
    )
    assert first != second and "." not in first + second  # masked: not Flask-WTF's signed token
    assert unmask(first) == unmask(second)  # the same session token underneath
    one_page = _tokens(an.get("/").get_data(as_text=True))
    assert len(one_page) >= 2 and len(set(one_page)) == 1  # one value per response: it compresses
    for token in (first, second):
        response = an.client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
        assert response.status_code == 302
    compressed = an.client.get("/", headers={"Accept-Encoding": "gzip"})
    assert compressed.headers.get("Content-Encoding") == "gzip"


def test_the_header_htmx_and_scripts_send_is_unmasked_too(app):
    an = Browser(app, "an")
    token = csrf_token(an.get("/").get_data(as_text=True))
    ok = an.client.post("/language", data={"lang": "en", "next": "/"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 302
    refused = an.client.post(
        "/language", data={"lang": "en", "next": "/"}, headers={"X-CSRFToken": "x" + token}
    )
    assert refused.status_code == 400


def test_an_altered_or_foreign_token_is_refused(app):
    an, binh = Browser(app, "an"), Browser(app, "binh")
    token = csrf_token(an.get("/").get_data(as_text=True))
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    assert (
        an.client.post("/language", data={"lang": "en", "next": "/", "csrf_token": flipped}).status_code
        == 400
    )
    foreign = csrf_token(binh.get("/").get_data(as_text=True))
    assert (
        an.client.post("/language", data={"lang": "en", "next": "/", "csrf_token": foreign}).status_code
        == 400
    )
    raw = unmask(token)
    assert an.client.post("/language", data={"lang": "en", "next": "/", "csrf_token": raw}).status_code == 302
    assert unmask(mask(raw)) == raw and mask(raw) != mask(raw)


def test_the_task_page_accepts_a_masked_token_and_keeps_values_when_it_has_expired(app, case_at_registration):
    an = Browser(app, "an")
    page = f"/tasks/{case_at_registration.id}"
    token = csrf_token(an.get(page).get_data(as_text=True))
    stale = an.client.post(
        page, data={**REGISTERED, "village": "Thôn Mới", "csrf_token": mask("stale.token")}
    )
    html = stale.get_data(as_text=True)
    assert (
        stale.status_code == 400
        and "Phiên làm việc của biểu mẫu đã hết hạn" in html
        and 'value="Thôn Mới"' in html
    )
    done = an.client.post(page, data={**REGISTERED, "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)
