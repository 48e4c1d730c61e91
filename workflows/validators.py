"""What officers type, checked and put in the one form we store: CCCD, mobile numbers, banks, accounts, names.

Each function returns the normal form or raises ``InvalidValue``, whose message is Vietnamese text an
officer can act on at the commune desk. Nothing here touches a database, so forms, service handlers and
imports of lists from the police or the provider all apply the same rules.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any


class InvalidValue(ValueError):
    """A value that cannot be stored; ``message`` tells the officer, in Vietnamese, what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _data(name: str) -> Any:
    """Read a JSON file shipped in ``workflows/data`` (through importlib so an installed wheel works too)."""
    return json.loads(resources.files("workflows").joinpath("data", name).read_text(encoding="utf-8"))


def _ascii_digits(text: str) -> bool:
    """``str.isdigit`` alone would let through Arabic-Indic or superscript digits."""
    return text.isascii() and text.isdigit()


# --- CCCD (citizen identity number) -----------------------------------------------------------

GENDER_LABELS = {"male": "nam", "female": "nữ"}
# The 4th digit encodes gender (even = male, odd = female) and the century of birth.
_CENTURY_BY_PAIR = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 1800}


@dataclass(frozen=True)
class CccdFacts:
    """What a CCCD number says about its holder, to compare with what the form says."""

    province_code: str
    province_name: str
    gender: str
    century_start: int
    year_suffix: int

    @property
    def birth_year(self) -> int:
        return self.century_start + self.year_suffix


@cache
def cccd_provinces() -> dict[str, str]:
    """Province-of-birth-registration codes (Circular 07/2016/TT-BCA, Annex 1), code → Vietnamese name."""
    return dict(_data("cccd_provinces.json"))


def cccd_facts(value: str) -> CccdFacts:
    """Decode a CCCD number; raises if it cannot be one (wrong length, unknown province code)."""
    digits = re.sub(r"\s+", "", value)
    if not digits:
        raise InvalidValue("Chưa nhập số CCCD")
    if not _ascii_digits(digits):
        raise InvalidValue("Số CCCD phải gồm đúng 12 chữ số, không có chữ cái hay ký hiệu")
    if len(digits) != 12:
        hint = " (số CMND cũ có 9 chữ số, cần số CCCD 12 chữ số)" if len(digits) == 9 else ""
        raise InvalidValue(f"Số CCCD phải gồm đúng 12 chữ số; số đã nhập có {len(digits)} chữ số{hint}")
    province_code = digits[:3]
    province_name = cccd_provinces().get(province_code)
    if province_name is None:
        raise InvalidValue(
            f"Ba chữ số đầu của số CCCD («{province_code}») không phải mã tỉnh, thành phố "
            "nơi đăng ký khai sinh"
        )
    marker = int(digits[3])
    return CccdFacts(
        province_code=province_code,
        province_name=province_name,
        gender="male" if marker % 2 == 0 else "female",
        century_start=_CENTURY_BY_PAIR[marker - marker % 2],
        year_suffix=int(digits[4:6]),
    )


def validate_cccd(value: str, date_of_birth: date | None = None, gender: str | None = None) -> str:
    """Return the 12 digits; with a date of birth or gender, the number must agree with them.

    The police clean records against the population database later; catching a mistyped digit at the
    desk saves a round trip through the district.
    """
    digits = re.sub(r"\s+", "", value)
    facts = cccd_facts(digits)
    if gender is not None and gender not in GENDER_LABELS:
        raise InvalidValue(f"Giới tính «{gender}» không hợp lệ (chỉ nhận nam hoặc nữ)")
    marker, suffix = digits[3], digits[4:6]
    problems = []
    if date_of_birth is not None:
        if not facts.century_start <= date_of_birth.year < facts.century_start + 100:
            problems.append(
                f"chữ số thứ 4 («{marker}») ứng với người sinh năm {facts.century_start}–"
                f"{facts.century_start + 99}, nhưng ngày sinh đã nhập là {date_of_birth:%d/%m/%Y}"
            )
        if date_of_birth.year % 100 != facts.year_suffix:
            problems.append(
                f"chữ số thứ 5–6 («{suffix}») phải là hai số cuối của năm sinh, nhưng ngày sinh đã nhập là "
                f"{date_of_birth:%d/%m/%Y}"
            )
    if gender is not None and gender != facts.gender:
        problems.append(
            f"chữ số thứ 4 («{marker}») ứng với giới tính {GENDER_LABELS[facts.gender]}, "
            f"nhưng giới tính đã nhập là {GENDER_LABELS[gender]}"
        )
    if problems:
        raise InvalidValue("Số CCCD không khớp với thông tin đã nhập: " + "; ".join(problems))
    return digits


# --- Mobile numbers ---------------------------------------------------------------------------

MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def normalize_phone(value: str) -> str:
    """Return the 10-digit ``0xxxxxxxxx`` form, so one person's number is stored one way only."""
    raw = _PHONE_SEPARATORS.sub("", value)
    if not raw:
        raise InvalidValue("Chưa nhập số điện thoại di động")
    international = True
    if raw.startswith("+"):
        if not raw.startswith("+84"):
            raise InvalidValue("Chỉ nhận số điện thoại di động Việt Nam (mã quốc gia +84)")
        national = raw[3:]
    elif raw.startswith("0084"):
        national = raw[4:]
    elif raw.startswith("84") and len(raw) >= 11:
        national = raw[2:]
    else:
        international, national = False, raw
    if not _ascii_digits(national):
        raise InvalidValue("Số điện thoại chỉ được gồm chữ số (có thể có dấu cách, dấu chấm, dấu gạch ngang)")
    if international and len(national) == 10 and national.startswith("0"):
        national = national[1:]  # "+84 (0)912 345 678"
    local = "0" + national if international else national
    if len(local) != 10 or not local.startswith("0"):
        raise InvalidValue(
            "Số điện thoại di động phải gồm 10 chữ số bắt đầu bằng 0 "
            "(ví dụ 0912 345 678 hoặc +84 912 345 678)"
        )
    if local[:2] not in MOBILE_PREFIXES:
        raise InvalidValue(
            f"Đầu số «{local[:3]}» không phải số di động; số di động bắt đầu bằng 03, 05, 07, 08 hoặc 09"
        )
    return local


# --- Banks, mobile money, e-wallets and their accounts ----------------------------------------

# The kinds of "tài khoản số, tài khoản ngân hàng" (Plan 700, III) a person can be paid into.
ACCOUNT_KINDS = {"bank": "Tài khoản ngân hàng", "mobile_money": "Mobile Money", "ewallet": "Ví điện tử"}


@dataclass(frozen=True)
class Bank:
    """Where an account is held: a bank that receives transfers through NAPAS (``bin`` is its 6-digit
    NAPAS/VietQR BIN), or a mobile-money or e-wallet provider (``kind``; no BIN, the number is usually
    the phone). Every provider's code is distinct from every bank's, so the code alone says the kind."""

    code: str
    bin: str | None
    short_name: str
    name: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    kind: str = "bank"

    @property
    def label(self) -> str:
        """How a person picks it by name: "Agribank — Ngân hàng Nông nghiệp …", "MoMo — Ví điện tử"."""
        if self.kind == "bank":
            return f"{self.short_name} — {self.name}"
        return f"{self.short_name} — {ACCOUNT_KINDS[self.kind]}"


@cache
def _banks() -> dict[str, Bank]:
    banks: dict[str, Bank] = {}
    rows = [(row, "bank") for row in _data("banks.json")]
    rows += [(row, row["kind"]) for row in _data("wallets.json")]
    for row, kind in rows:
        bank = Bank(
            code=row["code"],
            bin=row.get("bin"),
            short_name=row["short_name"],
            name=row["name"],
            aliases=tuple(row.get("aliases", ())),
            former_names=tuple(row.get("former_names", ())),
            kind=kind,
        )
        bad_bin = not (_ascii_digits(bank.bin or "") and len(bank.bin or "") == 6)
        if bank.code in banks or kind not in ACCOUNT_KINDS or (kind == "bank") == bad_bin:
            raise ValueError(f"banks.json/wallets.json: duplicate code, unknown kind or bad BIN in {row!r}")
        banks[bank.code] = bank
    return banks


@cache
def _bank_index() -> dict[str, Bank]:
    """Every key an officer or a bank file may use for a bank or provider: code, older codes and BIN."""
    index: dict[str, Bank] = {}
    for bank in _banks().values():
        for key in (bank.code, *([bank.bin] if bank.bin else []), *bank.aliases):
            if key.upper() in index:
                raise ValueError(f"banks.json/wallets.json: {key!r} names two providers")
            index[key.upper()] = bank
    return index


@cache
def _name_index() -> dict[str, Bank]:
    """Short names, full names and former names, folded (no diacritics, no case, single spaces)."""
    index: dict[str, Bank] = {}
    for bank in _banks().values():
        for name in (bank.short_name, bank.name, *bank.former_names):
            index.setdefault(fold_diacritics(name), bank)
    return index


def load_banks() -> dict[str, Bank]:
    """Banks by code (a fresh dict each call; the parsed files are cached)."""
    return {code: bank for code, bank in _banks().items() if bank.kind == "bank"}


def load_providers() -> dict[str, Bank]:
    """Banks, then mobile-money and e-wallet providers, by code."""
    return dict(_banks())


def provider_choices() -> dict[str, str]:
    """``{code: label}`` for the picker: banks by short name, then mobile money, then e-wallets."""
    order = list(ACCOUNT_KINDS)
    rows = sorted(_banks().values(), key=lambda b: (order.index(b.kind), fold_diacritics(b.short_name)))
    return {bank.code: bank.label for bank in rows}


def validate_bank_code(code: str) -> Bank:
    """Find a bank or provider by its code, an older code (e.g. ``LIENVIETPOSTBANK``) or its BIN."""
    key = re.sub(r"\s+", "", code).upper()
    if not key:
        raise InvalidValue("Chưa chọn ngân hàng")
    bank = _bank_index().get(key)
    if bank is None:
        raise InvalidValue(f"Không có ngân hàng nào có mã hoặc mã BIN «{code.strip()}»")
    return bank


def find_provider(text: str) -> Bank:
    """A bank or provider from what a person or a roll writes: its code, BIN, short name, full name or a
    former name, in any case and with or without diacritics."""
    if not text.strip():
        raise InvalidValue("Chưa chọn ngân hàng hoặc ví điện tử")
    try:
        return validate_bank_code(text)
    except InvalidValue:
        pass
    found = _name_index().get(fold_diacritics(text))
    if found is None:
        raise InvalidValue(
            f"Không tìm thấy ngân hàng, Mobile Money hay ví điện tử «{text.strip()}» "
            "(chọn trong danh sách, hoặc ghi mã, tên viết tắt hay tên đầy đủ)"
        )
    return found


def provider_code(text: str) -> str:
    """``find_provider``'s code: the form fields' rule."""
    return find_provider(text).code


def validate_account_number(value: str, bank_code: str | None = None) -> str:
    """Return the account number as digits; the bank, when given, must be one we can pay into.
    A mobile-money or e-wallet account is the phone it is registered to (``validate_account``)."""
    if bank_code is not None:
        validate_bank_code(bank_code)
    digits = re.sub(r"[\s\-]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    if not digits:
        raise InvalidValue("Chưa nhập số tài khoản")
    if not _ascii_digits(digits):
        raise InvalidValue("Số tài khoản chỉ được gồm chữ số")
    if not 6 <= len(digits) <= 19:
        raise InvalidValue(f"Số tài khoản phải có từ 6 đến 19 chữ số; số đã nhập có {len(digits)} chữ số")
    if digits.strip("0") == "":
        raise InvalidValue("Số tài khoản không thể chỉ gồm chữ số 0")
    return digits


def validate_account(provider: str, number: str) -> str:
    """The account number in its normal form for its provider: a bank account's digits; for Mobile
    Money, the subscriber's mobile number; for an e-wallet, the phone it is registered to, or its
    wallet number where the provider gives one."""
    bank = find_provider(provider)
    if bank.kind == "mobile_money":
        try:
            return normalize_phone(number)
        except InvalidValue as exc:
            message = f"Tài khoản Mobile Money là số điện thoại di động của thuê bao: {exc.message}"
            raise InvalidValue(message) from None
    if bank.kind == "ewallet":
        try:
            return normalize_phone(number)
        except InvalidValue:
            return validate_account_number(number)
    return validate_account_number(number)


def account_kind(code: str | None) -> str | None:
    """``bank``, ``mobile_money`` or ``ewallet`` for a provider's code; None for none or an unknown one."""
    bank = _banks().get(code or "")
    return bank.kind if bank else None


def account_label(code: str | None) -> str:
    """ "Ví điện tử MoMo", "Mobile Money Viettel Money", "Agribank" — for lists and files."""
    bank = _banks().get(code or "")
    if bank is None:
        return code or ""
    return bank.short_name if bank.kind == "bank" else f"{ACCOUNT_KINDS[bank.kind]} {bank.short_name}"


# --- Names ------------------------------------------------------------------------------------

# Typographic apostrophes and hyphens become ASCII; Ð/ð (Icelandic eth) is a common mistype of Đ/đ.
_NAME_FIXES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u00d0": "\u0110",
        "\u00f0": "\u0111",
        "\u200b": None,
        "\ufeff": None,
    }
)
_NAME_MAX = 100


def _one(mapped: str, original: str) -> str:
    """Keep a case mapping only if it stays one character (``ß``→``SS`` would make names unstable)."""
    return mapped if len(mapped) == 1 else original


def _capitalize(segment: str) -> str:
    head, tail = segment[:1], segment[1:]
    return _one(head.title(), head) + "".join(_one(ch.lower(), ch) for ch in tail)


def normalize_name(value: str) -> str:
    """NFC, single spaces, each word capitalised — so "nguyễn văn  AN" is stored as "Nguyễn Văn An".

    Capitalising after an apostrophe or hyphen keeps ethnic-minority names right ("H'Hen", "Y-Moan").
    Case is changed character by character on NFC text, never on NFD, where ``str.title`` would
    capitalise the letter after a combining accent.
    """
    text = unicodedata.normalize("NFC", value).translate(_NAME_FIXES)
    text = " ".join(text.split())
    if not text:
        raise InvalidValue("Chưa nhập họ tên")
    for ch in text:
        if not (ch.isalpha() or ch in " '-"):
            raise InvalidValue(
                f"Họ tên chỉ được gồm chữ cái, dấu cách, dấu nháy (') và dấu gạch ngang (-); "
                f"ký tự «{ch}» không hợp lệ"
            )
    words = []
    for word in text.split(" "):
        parts = re.split(r"(['-])", word)
        if any(not part for part in parts[::2]):
            raise InvalidValue("Dấu nháy (') và dấu gạch ngang (-) trong họ tên phải đứng giữa hai chữ cái")
        words.append("".join(part if i % 2 else _capitalize(part) for i, part in enumerate(parts)))
    name = unicodedata.normalize("NFC", " ".join(words))
    if not 2 <= len(name) <= _NAME_MAX:
        raise InvalidValue(f"Họ tên phải có từ 2 đến {_NAME_MAX} ký tự; đã nhập {len(name)} ký tự")
    return name


def fold_diacritics(text: str) -> str:
    """Lowercase ASCII-ish key for search: officers type "dang thi anh" for "Đặng Thị Ánh"."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("đ", "d").replace("ð", "d")
    return " ".join(folded.split())
