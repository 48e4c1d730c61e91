"""Vietnamese first, English on request: the switch, and a catalog that keeps up with the pages."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.conftest import ROOT
from tests.web.conftest import Browser

WEB = ROOT / "web"
POT = WEB / "translations" / "messages.pot"
ENGLISH = WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_english_on_the_login_page_and_the_inbox_then_back_to_vietnamese(app, case_at_registration):
    person = Browser(app)
    assert "Đăng nhập" in person.get("/login").get_data(as_text=True)
    switched = person.post("/language", {"lang": "en", "next": "/login"}, from_page="/login")
    assert switched.status_code == 302 and switched.headers["Location"] == "/login"
    login = person.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in login and "Log in" in login and "Username" in login and "Password" in login
    assert "Đăng nhập" not in login and "Tiếng Việt" in login  # the way back is offered in its own language
    assert "Wrong username or password." in person.login("an", "wrong-password-1").get_data(as_text=True)

    assert person.login("an").status_code == 302  # the language chosen before logging in is kept
    inbox = person.get("/").get_data(as_text=True)
    assert "To do" in inbox and "Due date" in inbox and "Log out" in inbox and "On time" in inbox
    assert "Việc cần làm" not in inbox and "Đăng xuất" not in inbox
    assert "Y Thị Hoa" in inbox and "Xã Đắk Cấm" in inbox  # people and places stay as recorded
    assert "Register the payment method" in inbox and "Đăng ký phương thức chi trả" not in inbox

    person.post("/language", {"lang": "vi", "next": "/"})
    inbox = person.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in inbox and "Việc cần làm" in inbox and "To do" not in inbox


def test_an_unknown_language_leaves_vietnamese(app):
    person = Browser(app)
    person.post("/language", {"lang": "fr", "next": "/login"}, from_page="/login")
    assert "Đăng nhập" in person.get("/login").get_data(as_text=True)


def test_every_ui_string_has_an_english_translation():
    """A new _("…") in web/ fails here until `make messages` has run and its English is written."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        mapping = parse_mapping_cfg(config, "babel.cfg")
    in_source = {message for _file, _line, message, _comments, _context in extract_from_dir(WEB, *mapping)}
    with POT.open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert in_source == template, "web/translations/messages.pot is stale: run `make messages`"
    with ENGLISH.open("rb") as f:
        english = {m.id: m for m in read_po(f, locale="en") if m.id}
    translated = {msgid for msgid, m in english.items() if m.string and not m.fuzzy}
    untranslated = sorted(template - translated)
    assert not untranslated, f"no English yet (web/translations/en/LC_MESSAGES/messages.po): {untranslated}"
    for msgid in template:
        placeholders = sorted(PLACEHOLDER.findall(msgid))
        assert sorted(PLACEHOLDER.findall(english[msgid].string)) == placeholders, msgid


def test_a_task_page_in_english_names_the_step_its_fields_options_statuses_and_errors(
    app, case_at_registration
):
    task = case_at_registration
    person = Browser(app, "an")
    person.post("/language", {"lang": "en", "next": "/"})
    page = person.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "<h1>Register the payment method</h1>" in page
    for english in (
        "Date of birth",
        "Beneficiary category",
        "Payment method",
        "Existing account",
        "Female",
        "Village or residential group",
        "In outreach",
        "At the pay point",
        "Bedridden",
    ):
        assert english in page, english
    for vietnamese in (
        "Ngày sinh",
        "Đối tượng hưởng",
        "Phương thức nhận",
        "Tài khoản đã có",
        "Đang vận động",
    ):
        assert vietnamese not in page, vietnamese
    sent = person.post(f"/tasks/{task.id}", {"full_name": "Y", "cccd": "123"}, from_page=f"/tasks/{task.id}")
    errors = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert "This field is required." in errors and "A name has 2 to 100 characters; this one has 1." in errors
    assert "consent is needed" in errors and "Vui lòng nhập" not in errors

    person.post("/language", {"lang": "vi", "next": "/"})
    page = person.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert (
        "<h1>Đăng ký phương thức chi trả</h1>" in page and "Ngày sinh" in page
    )  # Vietnamese stays the default


def test_every_domain_word_is_in_the_catalog():
    """Step names, labels, options and statuses are collected from where they live (the BPMN, the form
    schemas, the label tables): a new one fails `test_every_ui_string_has_an_english_translation` until
    `make messages` has run and its English is written."""
    from web.domain_text import domain_words

    words = set(domain_words())
    with POT.open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert {"Đăng ký phương thức chi trả", "Ngày sinh", "Nằm liệt giường", "Đang vận động"} <= words
    assert words <= template
