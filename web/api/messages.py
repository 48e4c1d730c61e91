"""Field messages in the caller's language. The forms speak Vietnamese (their schemas are the pages');
marshmallow's own messages, for the API's query and body schemas, are English. Each is rendered in the
other language from its template; a message without one is returned as written."""

from __future__ import annotations

import re

_ = r"(?P<label>.+?)"
# Vietnamese (the forms and the domain's validators) → English.
TO_ENGLISH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), e)
    for p, e in [
        (r"^Vui lòng nhập .+\.$", "This field is required."),
        (rf"^{_} không hợp lệ\.$", "Not a valid value."),
        (r"^.+ dài tối đa (?P<n>\d+) ký tự\.$", "At most {n} characters."),
        (r"^Vui lòng chọn .+ trong danh sách\.$", "Choose one of the allowed values."),
        (r"^.+ không đúng định dạng ngày.*$", "Not a valid date (YYYY-MM-DD)."),
        (r"^.+ không được sau ngày hôm nay\.$", "Must not be after today."),
        (r"^.+: chỉ chọn có hoặc không\.$", "Must be true or false."),
        (r"^Chưa nhập .+$", "This field is required."),
        (r"^Chưa chọn ngân hàng.*$", "Choose a bank."),
        (
            r"^Số CCCD phải gồm đúng 12 chữ số; số đã nhập có (?P<n>\d+) chữ số.*$",
            "A CCCD has exactly 12 digits; this one has {n}.",
        ),
        (r"^Số CCCD phải gồm đúng 12 chữ số.*$", "A CCCD has exactly 12 digits, no letters or symbols."),
        (
            r"^Số CCCD không khớp với thông tin đã nhập.*$",
            "The CCCD does not agree with the date of birth or gender given.",
        ),
        (
            r"^Số CCCD này đã có trong (một )?hồ sơ đang mở(?P<rest>.*)$",
            "This CCCD already belongs to an open case{rest}",
        ),
        (
            r"^Số tài khoản phải có từ 6 đến 19 chữ số; số đã nhập có (?P<n>\d+) chữ số.*$",
            "An account number has 6 to 19 digits; this one has {n}.",
        ),
        (r"^Số tài khoản chỉ được gồm chữ số.*$", "An account number has digits only."),
        (r"^Số tài khoản không thể chỉ gồm chữ số 0.*$", "An account number cannot be all zeros."),
        (
            r"^Không có ngân hàng nào có mã hoặc mã BIN «(?P<code>.*)».*$",
            "No bank has the code or BIN «{code}».",
        ),
        (
            r"^Họ tên phải có từ 2 đến (?P<max>\d+) ký tự; đã nhập (?P<n>\d+) ký tự.*$",
            "A name has 2 to {max} characters; this one has {n}.",
        ),
        (r"^Dấu nháy.*họ tên.*$", "Apostrophes and hyphens in a name must stand between two letters."),
        (r"^Giới tính «(?P<g>.*)» không hợp lệ.*$", "Gender «{g}» is not valid (male or female)."),
        (
            r"^Chỉ nhận số điện thoại di động Việt Nam.*$",
            "Only Vietnamese mobile numbers (+84) are accepted.",
        ),
        (
            r"^Số điện thoại chỉ được gồm chữ số.*$",
            "A phone number has digits only (spaces, dots, dashes allowed).",
        ),
        (
            r"^Số điện thoại.*$",
            "Not a valid Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or 09).",
        ),
        (r"^Số tiền không được âm\.$", "An amount cannot be negative."),
        (
            r"^Còn (?P<n>\d+) dòng chưa có kết quả chi trả \((?P<m>.*)\)\.$",
            "{n} lines have no payment result yet ({m}).",
        ),
        (r"^Danh sách đã được duyệt và khoá\.$", "The list has been approved and locked."),
        (
            r"^Kho bạc chưa chuyển kinh phí cho kỳ này.*$",
            "The treasury has not transferred this cycle's funds yet: no payment results are accepted.",
        ),
        (
            r"^Kỳ chi trả đã qua bước chuyển khoản.*$",
            "The cycle is past its account transfers: no more transfer results are accepted.",
        ),
        (
            r"^Kỳ chi trả đã chi xong hoặc đã quyết toán.*$",
            "The cycle is paid or reconciled: no more results are accepted.",
        ),
        (
            r"^Cần có sự đồng ý của người hưởng.*$",
            "The beneficiary's (or the representative's) consent is needed to process personal data.",
        ),
        (r"^Cần hướng dẫn sử dụng an toàn.*$", "Explain safe use of the card before completing."),
        (r"^Cần xác nhận đã ghi nhận kết quả chi tiền mặt\.$", "Confirm that the cash results are recorded."),
        (
            r"^Cần xác nhận đã ghi nhận kết quả của tất cả các dòng\.$",
            "Confirm that every line's result is recorded.",
        ),
        (r"^Vui lòng xác nhận đã giao chỉ tiêu\.$", "Confirm that the targets are set."),
        (r"^Số con đang nuôi phải là một số từ 1 đến 20$", "The number of children must be from 1 to 20."),
        (
            r"^Số tiền chuyển \((?P<a>.*)\) phải bằng tổng danh sách đã duyệt \((?P<b>.*)\)\.$",
            "The amount transferred ({a}) must equal the approved list's total ({b}).",
        ),
        (
            r"^Số tiền hoàn trả phải bằng số chưa chi trả: (?P<a>.*) \(đã nhập (?P<b>.*)\)\.$",
            "The amount returned must equal what was not paid out: {a} ({b} entered).",
        ),
        (r"^Tệp rỗng\.$", "The file is empty."),
        (r"^Tệp tải lên rỗng\.$", "The file is empty."),
        (
            r"^Dòng (?P<n>\d+) của tệp CSV không đọc được \((?P<why>.*)\)\.$",
            "Row {n} of the CSV file cannot be read ({why}).",
        ),
        (
            r"^Tệp tải lên không phải bảng tính Excel \(\.xlsx\) hay tệp \.csv đọc được\..*$",
            "The file is not a readable Excel workbook (.xlsx) or CSV file: save it as "
            "«Excel Workbook (.xlsx)» or CSV UTF-8 and upload it again.",
        ),
        (r"^Bước .+ không có biểu mẫu\.$", "This step has no form."),
        # an administrator's reopen and deadline extension (their small forms flash these)
        (r"^Vui lòng ghi lý do .+\.$", "Please give a reason."),
        (r"^Vui lòng chọn ngày hạn mới\.$", "Choose the new deadline."),
        (
            r"^Hạn mới phải sau thời điểm hiện tại.*$",
            "The new deadline must be after now: today's working hours are over, choose tomorrow or later.",
        ),
        (
            r"^Hạn mới phải từ hôm nay \((?P<d>.*)\) trở đi; ngày (?P<x>.*) đã qua\.$",
            "The new deadline must be today ({d}) or later; {x} is past.",
        ),
        (
            r"^Hồ sơ (?P<c>\S+) đang mở; chỉ mở lại được hồ sơ đã đóng\.$",
            "Case {c} is open; only a closed case can be reopened.",
        ),
    ]
]
# marshmallow's English → Vietnamese (the API's own schemas).
TO_VIETNAMESE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), v)
    for p, v in [
        (r"^Missing data for required field\.$", "Thiếu trường bắt buộc."),
        (r"^Field may not be null\.$", "Trường này không được để trống."),
        (r"^Unknown field\.$", "Trường không được hỗ trợ."),
        (r"^Not a valid integer\.$", "Không phải số nguyên hợp lệ."),
        (r"^Not a valid string\.$", "Không phải chuỗi ký tự hợp lệ."),
        (r"^Not a valid boolean\.$", "Không phải giá trị đúng/sai hợp lệ."),
        (r"^Not a valid date\.$", "Không phải ngày hợp lệ (YYYY-MM-DD)."),
        (r"^Not a valid datetime\.$", "Không phải thời điểm hợp lệ."),
        (r"^Not a valid list\.$", "Không phải danh sách hợp lệ."),
        (r"^Not a valid mapping type\.$", "Không phải đối tượng JSON hợp lệ."),
        (r"^Invalid input type\.$", "Kiểu dữ liệu không hợp lệ."),
        (r"^Must be one of: (?P<v>.*)\.$", "Phải là một trong các giá trị: {v}."),
        (r"^Must be greater than or equal to (?P<n>.+)\.$", "Phải lớn hơn hoặc bằng {n}."),
        (r"^Must be less than or equal to (?P<n>.+)\.$", "Phải nhỏ hơn hoặc bằng {n}."),
        (
            r"^Must be greater than or equal to (?P<a>.+) and less than or equal to (?P<b>.+)\.$",
            "Phải trong khoảng {a} đến {b}.",
        ),
        (r"^Longer than maximum length (?P<n>\d+)\.$", "Dài hơn tối đa {n} ký tự."),
        (r"^Shorter than minimum length (?P<n>\d+)\.$", "Ngắn hơn tối thiểu {n} ký tự."),
        (r"^Length must be between (?P<a>\d+) and (?P<b>\d+)\.$", "Độ dài phải từ {a} đến {b}."),
        (r"^String does not match expected pattern\.$", "Không đúng định dạng."),
        (r"^Invalid value\.$", "Giá trị không hợp lệ."),
        (r"^No file given\.$", "Chưa gửi tệp."),
    ]
]


def localise(message: str, language: str) -> str:
    """``message`` in ``language`` ("vi" or "en") when a template knows it; as written otherwise."""
    table = TO_ENGLISH if language == "en" else TO_VIETNAMESE
    for pattern, template in table:
        found = pattern.match(message)
        if found:
            return template.format(**found.groupdict())
    return message
