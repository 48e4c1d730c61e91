"""The row reports of the bulk uploads (the police's data-check results, a commune's roll) in the page's
language. ``workflows.bulk`` and ``workflows.roster`` write each row's outcome as a Vietnamese sentence
built from a template (the same sentence goes into the result file the officer downloads); a page in
English renders it from its template here, the domain words inside it (a step, a column, a result)
through the catalog (``say``), the field messages through ``api.messages``. A sentence with no template
here is shown as written."""

from __future__ import annotations

import re
from collections.abc import Callable

from .api.messages import localise
from .domain_text import language, say

Said = Callable[[re.Match[str]], str]
_QUOTED = re.compile(r"«(.*?)»")


def _words(text: str) -> str:
    """Each «quoted» domain word of ``text`` said (``«Đã chết»; «Khớp…»`` → ``«Deceased»; …``)."""
    return _QUOTED.sub(lambda m: f"«{say(m[1])}»", text)


def _differences(text: str) -> str:
    parts = []
    for part in text.split("; "):
        found = re.match(r"^(?P<c>.*?): hồ sơ ghi «(?P<o>.*)», tệp ghi «(?P<n>.*)»$", part)
        if found is None:
            parts.append(part)
            continue
        parts.append(
            f"{say(found['c'])}: the case has «{_value(found['o'])}», the file has «{_value(found['n'])}»"
        )
    return "; ".join(parts)


def _value(text: str) -> str:
    closed = re.match(r"^đã đóng \((?P<why>.*)\)$", text)
    if closed:
        return f"closed ({say(closed['why'])})"
    return {"đang hưởng": "receiving"}.get(text, say(text))


TEMPLATES: list[tuple[re.Pattern[str], Said]] = [
    (re.compile(p), said)
    for p, said in [
        # police data-check results (workflows.bulk.police_rows)
        (r"^Chưa ghi kết quả; dòng này được bỏ qua\.$", lambda m: "No result written; the row is skipped."),
        (
            r"^Kết quả «(?P<r>.*)» không có trong danh sách; chọn một trong: (?P<l>.*)\.$",
            lambda m: f"The result «{m['r']}» is not in the list; choose one of: {_words(m['l'])}.",
        ),
        (
            r"^Chưa chọn kết quả; chọn một trong: (?P<l>.*)\.$",
            lambda m: f"No result chosen; choose one of: {_words(m['l'])}.",
        ),
        (
            r"^Hồ sơ vừa được người khác cập nhật; tải lại danh sách và thử lại\.$",
            lambda m: "The case was just updated by someone else; download the list again and retry.",
        ),
        (
            r"^Đã cập nhật; chuyển bước (?P<m>.*)\.$",
            lambda m: f"Updated; moved on to {_words(m['m'])}.",
        ),
        (r"^Đã cập nhật; hồ sơ đã đóng\.$", lambda m: "Updated; the case is closed."),
        (r"^Đã cập nhật\.$", lambda m: "Updated."),
        (
            r"^Công việc này không thuộc địa bàn hoặc nhiệm vụ của đơn vị.*$",
            lambda m: "This task is outside your office's areas or duties; not processed.",
        ),
        (
            r"^Dòng không có mã công việc, số CCCD hay mã hồ sơ.*$",
            lambda m: "The row has no task code, CCCD or case code to tell whose it is.",
        ),
        (
            r"^Có (?P<n>\d+) hồ sơ đang chờ làm sạch cùng số CCCD «(?P<c>.*)» \((?P<l>.*)\);.*$",
            lambda m: (
                f"{m['n']} cases awaiting the data check have the CCCD «{m['c']}» ({m['l']}); "
                "write the case code or the task code to choose."
            ),
        ),
        (
            r"^Số CCCD «(?P<c>.*)» không khớp với hồ sơ (?P<k>\S+) của công việc này "
            r"\(trong hồ sơ: (?P<h>.*)\);.*$",
            lambda m: (
                f"The CCCD «{m['c']}» does not match case {m['k']} of this task (the case has {m['h']}); "
                "check the row: sorting may have shuffled the rows."
            ),
        ),
        (
            r"^Mã hồ sơ «(?P<c>.*)» không khớp với công việc này \(của hồ sơ (?P<k>.*)\)\.$",
            lambda m: f"Case code «{m['c']}» does not match this task (of case {m['k']}).",
        ),
        (
            r"^Trùng với dòng (?P<n>\d+) \(cùng hồ sơ (?P<k>.*)\); chỉ xử lý dòng đó\.$",
            lambda m: f"Same as row {m['n']} (the same case {m['k']}); only that row is processed.",
        ),
        (
            r"^Công việc đang do «(?P<h>.*)» nhận xử lý; cần người đó bỏ nhận trước\.$",
            lambda m: f"The task is held by «{m['h']}»; that person must give it back first.",
        ),
        (r"^Không tìm thấy công việc có mã «(?P<t>.*)»\.$", lambda m: f"No task has the code «{m['t']}»."),
        (
            r"^Công việc không còn mở \(hồ sơ đã chuyển bước khác hoặc đã đóng\); không xử lý\.(?P<d> .+)?$",
            lambda m: (
                "The task is no longer open (the case moved on or is closed); not processed."
                + (" The result on this row differs from the one processed." if m["d"] else "")
            ),
        ),
        (
            r"^Không có hồ sơ nào đang chờ làm sạch dữ liệu với số CCCD «(?P<c>.*)» trong địa bàn.*$",
            lambda m: f"No case awaiting the data check in your office's areas has the CCCD «{m['c']}».",
        ),
        (
            r"^Không có hồ sơ nào đang chờ làm sạch dữ liệu với mã hồ sơ «(?P<c>.*)» trong địa bàn.*$",
            lambda m: f"No case awaiting the data check in your office's areas has the code «{m['c']}».",
        ),
        (
            r"^Đã xử lý trước đó ngày (?P<d>\S+) \(kết quả: (?P<l>.*)\); không xử lý lại\.$",
            lambda m: f"Already processed on {m['d']} (result: {say(m['l'])}); not processed again.",
        ),
        (r"^Tệp không có dòng dữ liệu nào\.$", lambda m: "The file has no data rows."),
        # a commune's roll (workflows.roster)
        (r"^Chưa ghi «(?P<h>.*)»\.$", lambda m: f"«{say(m['h'])}» is missing."),
        (
            r"^Giới tính «(?P<g>.*)» không hợp lệ: ghi Nam hoặc Nữ\.$",
            lambda m: f"Gender «{m['g']}» is not valid: write Nam (male) or Nu (female).",
        ),
        (
            r"^Mã xã «(?P<c>.*)» không phải một xã trong địa bàn của bạn.*$",
            lambda m: f"Commune code «{m['c']}» is not a commune in your areas (the current 5-digit code).",
        ),
        (r"^Thôn, tổ dài quá 100 ký tự\.$", lambda m: "The village is longer than 100 characters."),
        (r"^Hưởng từ tháng (?P<m>\S+) không hợp lệ\.$", lambda m: f"Entitled from {m['m']} is not valid."),
        (
            r"^Đã nhận đến tháng không thể trước tháng bắt đầu hưởng\.$",
            lambda m: "Paid through cannot be before the month the entitlement starts.",
        ),
        (
            r"^Đã nhận đến tháng (?P<m>\S+) là tháng chưa tới\.$",
            lambda m: f"Paid through {m['m']} is a month still to come.",
        ),
        (
            r"^Hình thức nhận «(?P<m>.*)»: ghi Tiền mặt hoặc Tài khoản\.$",
            lambda m: f"Payment method «{m['m']}»: write Tien mat (cash) or Tai khoan (account).",
        ),
        (
            r"^Ngày sinh «(?P<v>.*)» không đúng dạng dd/mm/yyyy\.$",
            lambda m: f"Date of birth «{m['v']}» is not in the form dd/mm/yyyy.",
        ),
        (r"^Ngày sinh (?P<d>\S+) không hợp lệ\.$", lambda m: f"Date of birth {m['d']} is not valid."),
        (
            r"^Mã đối tượng «(?P<t>.*)» không có trong danh mục.*$",
            lambda m: (
                f"Category code «{m['t']}» is not in the list (see the template's list of valid values)."
            ),
        ),
        (
            r"^Chỉ ghi số con đang nuôi cho người đơn thân nuôi con; để trống\.$",
            lambda m: "Write the number of children only for single parents; leave it empty.",
        ),
        (
            r"^Số con đang nuôi «(?P<t>.*)» phải là một số từ 1 đến 20\.$",
            lambda m: f"The number of children «{m['t']}» must be a number from 1 to 20.",
        ),
        (
            r"^(?P<h>.+) «(?P<t>.*)» không đúng dạng mm/yyyy\.$",
            lambda m: f"{say(m['h'])} «{m['t']}» is not in the form mm/yyyy.",
        ),
        (
            r"^Nhận tiền mặt thì để trống Ngân hàng và Số tài khoản\.$",
            lambda m: "Paid in cash: leave the bank and the account number empty.",
        ),
        (
            r"^Nhận qua tài khoản: chưa ghi ngân hàng, Mobile Money hoặc ví điện tử\.$",
            lambda m: "Paid by account: no bank, Mobile Money or e-wallet written.",
        ),
        (
            r"^Nhận qua tài khoản: chưa ghi số tài khoản\.$",
            lambda m: "Paid by account: no account number written.",
        ),
        (
            r"^Số CCCD trùng với dòng (?P<n>\d+) của tệp\.$",
            lambda m: f"The CCCD is the same as on row {m['n']} of the file.",
        ),
        (
            r"^Người \(cùng họ tên, ngày sinh, xã\) trùng với dòng (?P<n>\d+) của tệp\.$",
            lambda m: f"The same person (name, date of birth, commune) as on row {m['n']} of the file.",
        ),
        (
            r"^Đã có hồ sơ (?P<k>\S+) với thông tin khác \(không ghi đè\): (?P<s>.*)\.$",
            lambda m: (
                f"Case {m['k']} exists with different details (not overwritten): {_differences(m['s'])}."
            ),
        ),
    ]
]


def say_report(message: str | None) -> str:
    """A row's outcome (or a report's line) in the page's language."""
    if not message or language() == "vi":
        return message or ""
    for pattern, said in TEMPLATES:
        found = pattern.match(message)
        if found:
            return said(found)
    return _field_errors(message)


def _field_errors(message: str) -> str:
    """``Ngày chết: Vui lòng nhập …; …`` (a form's errors by field) or one field message."""
    parts = []
    for part in message.split("; "):
        label, colon, text = part.partition(": ")
        parts.append(f"{say(label)}: {localise(text, 'en')}" if colon else localise(part, "en"))
    return "; ".join(parts)


def init_app(app) -> None:
    app.jinja_env.filters["say_report"] = say_report
