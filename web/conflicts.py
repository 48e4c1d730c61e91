"""A conflict (someone else acted first) said in the reader's language. The engine and ``workflows``
raise ``Conflict`` with a developer's sentence (English from the engine); pages and the API's 409 bodies
say it in people's words instead: a task someone holds by its ``holder``, any other kind recognised by
its sentence. A conflict not recognised here is said by the general sentence, never raw."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

from engine.errors import Conflict, NotReady

CONFLICTS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^instance \d+ (?:was changed by someone else|changed since it was read)"),
        lambda m: _("Hồ sơ vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."),
    ),
    (
        re.compile(r"^task \S+ (?:was claimed or completed meanwhile|is no longer open)"),
        lambda m: _("Việc này vừa được người khác nhận hoặc hoàn thành; hãy tải lại trang."),
    ),
    (
        re.compile(r"^lines of cycle \d+ changed during the import"),
        lambda m: _("Danh sách của kỳ chi trả vừa thay đổi trong lúc nhập; hãy nhập lại tệp."),
    ),
    (
        re.compile(r"^Tên đăng nhập «(?P<username>.*)» đã có người dùng"),
        lambda m: _("Tên đăng nhập «%(username)s» đã có người dùng; chọn tên khác.", username=m["username"]),
    ),
    (
        re.compile(r"^(?P<day>\d\d/\d\d/\d{4}) is in the calendar already"),
        lambda m: _("Ngày %(day)s đã có trong lịch; hãy xoá ngày đó trước.", day=m["day"]),
    ),
    (
        re.compile(r"^escalation \d+ is closed"),
        lambda m: _("Báo cáo vượt cấp này đã đóng."),
    ),
    (
        re.compile(r"^escalation \d+ was acknowledged by (?P<who>.*)$"),
        lambda m: _("Báo cáo vượt cấp này đã được %(who)s tiếp nhận.", who=m["who"]),
    ),
    (
        re.compile(r"^another deployment of the same process was stored at the same time"),
        lambda m: _("Một bản khác của cùng quy trình vừa được lưu; hãy thử lại."),
    ),
    (
        re.compile(r"^instance \d+ has no failed task to retry"),
        lambda m: _("Hồ sơ không có bước lỗi nào để chạy lại."),
    ),
]


def held_by(holder: str) -> str:
    return _("Việc này đang do %(holder)s xử lý; chỉ người đó, cơ quan cấp trên hoặc quản trị viên thay đổi "
             "được.", holder=holder)  # fmt: skip


def say_conflict(exc: Conflict | NotReady) -> str:
    """``exc`` in the page's (or the API caller's) language."""
    if isinstance(exc, Conflict) and exc.holder:
        return held_by(exc.holder)
    text = str(exc)
    for pattern, said in CONFLICTS:
        found = pattern.search(text)
        if found:
            return said(found)
    return _("Xung đột: dữ liệu vừa được thay đổi bởi người khác.")


def say_refusal(exc: Exception) -> str:
    """Why an action was refused, in the page's language: a conflict in people's words, any other refusal
    (a Vietnamese message built from a template) rendered from its template."""
    from .domain_text import say_error  # web.api imports this module: imported here, not at the top

    if isinstance(exc, (Conflict, NotReady)):
        return say_conflict(exc)
    return say_error(str(exc))
