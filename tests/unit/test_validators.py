"""What the desk accepts and how it stores it: CCCD, mobile numbers, banks, account numbers, names."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from workflows.validators import (
    Bank,
    CccdFacts,
    InvalidValue,
    account_kind,
    account_label,
    cccd_facts,
    cccd_provinces,
    find_provider,
    fold_diacritics,
    load_banks,
    load_providers,
    normalize_name,
    normalize_phone,
    provider_choices,
    validate_account,
    validate_account_number,
    validate_bank_code,
    validate_cccd,
)

DATA = Path(__file__).resolve().parents[2] / "workflows" / "data"
PROPERTY = settings(deadline=None, max_examples=300)


def message_of(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidValue) as caught:
        call(*args, **kwargs)
    assert str(caught.value) == caught.value.message
    return caught.value.message


def test_invalid_value_is_a_value_error_carrying_its_message():
    exc = InvalidValue("Số CCCD phải gồm đúng 12 chữ số")
    assert isinstance(exc, ValueError)
    assert exc.message == str(exc) == "Số CCCD phải gồm đúng 12 chữ số"


# --- CCCD -------------------------------------------------------------------------------------


def test_province_list_is_the_63_codes_of_circular_07_2016():
    provinces = cccd_provinces()
    assert len(provinces) == 63
    assert provinces["001"] == "Hà Nội"
    assert provinces["002"] == "Hà Giang"
    assert provinces["004"] == "Cao Bằng"
    assert provinces["062"] == "Kon Tum"
    assert provinces["079"] == "Hồ Chí Minh"
    assert provinces["096"] == "Cà Mau"
    assert "000" not in provinces and "003" not in provinces and "097" not in provinces
    assert all(len(code) == 3 and code.isdigit() for code in provinces)
    assert all(unicodedata.is_normalized("NFC", name) for name in provinces.values())
    assert json.loads((DATA / "cccd_provinces.json").read_text(encoding="utf-8")) == provinces


def test_valid_cccd_is_returned_as_its_digits_with_spaces_removed():
    assert validate_cccd("062156012345") == "062156012345"
    assert validate_cccd(" 062 156 012 345 ") == "062156012345"
    assert validate_cccd("062\t156012345") == "062156012345"


def test_cccd_facts_decode_province_gender_and_year():
    facts = cccd_facts("062156012345")
    assert facts == CccdFacts(
        province_code="062", province_name="Kon Tum", gender="female", century_start=1900, year_suffix=56
    )
    assert facts.birth_year == 1956
    assert cccd_facts("001 2 05 000001").birth_year == 2005
    assert cccd_facts("0012 05000001").gender == "male"


@pytest.mark.parametrize(
    ("marker", "gender", "century_start"),
    [
        ("0", "male", 1900),
        ("1", "female", 1900),
        ("2", "male", 2000),
        ("3", "female", 2000),
        ("4", "male", 2100),
        ("5", "female", 2100),
        ("6", "male", 2200),
        ("7", "female", 2200),
        ("8", "male", 1800),
        ("9", "female", 1800),
    ],
)
def test_fourth_digit_gives_gender_and_century(marker, gender, century_start):
    facts = cccd_facts(f"096{marker}42123456")
    assert (facts.gender, facts.century_start) == (gender, century_start)
    assert facts.birth_year == century_start + 42


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "Chưa nhập số CCCD"),
        ("   ", "Chưa nhập số CCCD"),
        ("06215601234", "Số CCCD phải gồm đúng 12 chữ số; số đã nhập có 11 chữ số"),
        ("0621560123456", "Số CCCD phải gồm đúng 12 chữ số; số đã nhập có 13 chữ số"),
        ("212345678", "số CMND cũ có 9 chữ số"),
        ("06215601234A", "Số CCCD phải gồm đúng 12 chữ số, không có chữ cái hay ký hiệu"),
        ("062-156-012345", "không có chữ cái hay ký hiệu"),
        ("٠٦٢١٥٦٠١٢٣٤٥", "không có chữ cái hay ký hiệu"),
        ("000156012345", "Ba chữ số đầu của số CCCD («000») không phải mã tỉnh"),
        ("003156012345", "(«003»)"),
        ("097156012345", "(«097»)"),
        ("999156012345", "nơi đăng ký khai sinh"),
    ],
)
def test_malformed_cccd_is_refused_with_a_vietnamese_reason(value, fragment):
    assert fragment in message_of(validate_cccd, value)
    assert fragment in message_of(cccd_facts, value)


def test_cccd_agreeing_with_date_of_birth_and_gender_passes():
    assert validate_cccd("062156012345", date(1956, 3, 12), "female") == "062156012345"
    assert validate_cccd("062203012345", date(2003, 12, 31), "male") == "062203012345"
    assert validate_cccd("001899000001", date(1899, 1, 1), "male") == "001899000001"
    assert validate_cccd("062156012345", date_of_birth=date(1956, 1, 1)) == "062156012345"
    assert validate_cccd("062156012345", gender="female") == "062156012345"


def test_cccd_century_disagreeing_with_date_of_birth_says_so():
    message = message_of(validate_cccd, "062256012345", date(1956, 3, 12))
    assert message == (
        "Số CCCD không khớp với thông tin đã nhập: chữ số thứ 4 («2») ứng với người sinh năm 2000–2099, "
        "nhưng ngày sinh đã nhập là 12/03/1956"
    )


def test_cccd_year_digits_disagreeing_with_date_of_birth_say_so():
    message = message_of(validate_cccd, "062157012345", date(1956, 3, 12))
    assert message == (
        "Số CCCD không khớp với thông tin đã nhập: chữ số thứ 5–6 («57») phải là hai số cuối của năm sinh, "
        "nhưng ngày sinh đã nhập là 12/03/1956"
    )


def test_cccd_gender_disagreeing_says_so():
    message = message_of(validate_cccd, "062156012345", date(1956, 3, 12), "male")
    assert message == (
        "Số CCCD không khớp với thông tin đã nhập: chữ số thứ 4 («1») ứng với giới tính nữ, "
        "nhưng giới tính đã nhập là nam"
    )


def test_every_disagreement_is_listed_at_once():
    message = message_of(validate_cccd, "062256012345", date(1957, 3, 12), "female")
    assert "sinh năm 2000–2099" in message
    assert "«56»" in message
    assert "giới tính nam" in message and "giới tính đã nhập là nữ" in message
    assert message.count(";") == 2


def test_unknown_gender_value_is_refused():
    assert "Giới tính «nam» không hợp lệ" in message_of(validate_cccd, "062156012345", gender="nam")


@st.composite
def cccd_with_owner(draw):
    """A valid CCCD built from a real province, a gender and a date of birth, with that owner."""
    province = draw(st.sampled_from(sorted(cccd_provinces())))
    gender = draw(st.sampled_from(["male", "female"]))
    born = draw(st.dates(min_value=date(1800, 1, 1), max_value=date(2299, 12, 31)))
    pair = {1800: 8, 1900: 0, 2000: 2, 2100: 4, 2200: 6}[born.year // 100 * 100]
    marker = pair + (gender == "female")
    serial = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    return f"{province}{marker}{born.year % 100:02d}{serial}", born, gender


@PROPERTY
@given(cccd_with_owner())
def test_any_well_formed_cccd_round_trips_with_its_owner(case):
    value, born, gender = case
    assert validate_cccd(value, born, gender) == value
    facts = cccd_facts(value)
    assert (facts.birth_year, facts.gender) == (born.year, gender)
    assert facts.province_name == cccd_provinces()[value[:3]]


@PROPERTY
@given(cccd_with_owner(), st.integers(min_value=1, max_value=399))
def test_a_cccd_never_agrees_with_another_birth_year_or_the_other_gender(case, shift):
    value, born, gender = case
    other_year = 1800 + (born.year - 1800 + shift) % 500
    with pytest.raises(InvalidValue, match="ngày sinh đã nhập"):
        validate_cccd(value, date(other_year, 6, 15), gender)
    other_gender = "female" if gender == "male" else "male"
    with pytest.raises(InvalidValue, match="giới tính đã nhập"):
        validate_cccd(value, born, other_gender)


# --- Mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        "+84 (0) 912 345 678",
        " (+84) 912-345-678 ",
    ],
)
def test_mobile_numbers_are_stored_in_the_ten_digit_form(value):
    assert normalize_phone(value) == "0912345678"


@pytest.mark.parametrize("prefix", ["03", "05", "07", "08", "09"])
def test_each_mobile_prefix_is_accepted(prefix):
    assert normalize_phone(f"{prefix}12345678") == f"{prefix}12345678"
    assert normalize_phone(f"+84{prefix[1]}12345678") == f"{prefix}12345678"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "Chưa nhập số điện thoại di động"),
        ("  ", "Chưa nhập số điện thoại di động"),
        ("02437654321", "phải gồm 10 chữ số"),
        ("0243765432", "Đầu số «024» không phải số di động"),
        ("0112345678", "Đầu số «011» không phải số di động"),
        ("01234567890", "phải gồm 10 chữ số"),
        ("091234567", "phải gồm 10 chữ số"),
        ("912345678", "phải gồm 10 chữ số"),
        ("+8491234567", "phải gồm 10 chữ số"),
        ("+1 202 555 0100", "mã quốc gia +84"),
        ("0912a45678", "chỉ được gồm chữ số"),
        ("09１2345678", "chỉ được gồm chữ số"),
        ("+84+912345678", "chỉ được gồm chữ số"),
    ],
)
def test_bad_mobile_numbers_are_refused(value, fragment):
    assert fragment in message_of(normalize_phone, value)


@st.composite
def written_mobile(draw):
    """A real mobile number and one of the ways people write it."""
    local = draw(st.sampled_from(["03", "05", "07", "08", "09"])) + draw(
        st.text(alphabet="0123456789", min_size=8, max_size=8)
    )
    form = draw(st.sampled_from(["{0}", "+84{1}", "84{1}", "0084{1}", "+84 (0){1}"]))
    written = form.format(local, local[1:])
    separated = "".join(ch + draw(st.sampled_from(["", "", " ", ".", "-"])) for ch in written)
    return local, separated


@PROPERTY
@given(written_mobile())
def test_phone_normalisation_recovers_the_number_and_is_idempotent(case):
    local, written = case
    normal = normalize_phone(written)
    assert normal == local
    assert normalize_phone(normal) == normal


# --- Banks and accounts -----------------------------------------------------------------------


def test_bank_list_covers_the_commercial_banks_and_the_policy_bank():
    banks = load_banks()
    assert len(banks) >= 40
    assert banks["VCB"] == Bank(
        code="VCB",
        bin="970436",
        short_name="Vietcombank",
        name="Ngân hàng TMCP Ngoại thương Việt Nam",
        aliases=("VIETCOMBANK",),
    )
    assert banks["VBSP"].name == "Ngân hàng Chính sách xã hội"
    assert banks["LPB"].short_name == "LPBank" and "LIENVIETPOSTBANK" in banks["LPB"].aliases
    assert banks["VBA"].short_name == "Agribank" and banks["VBA"].bin == "970405"
    assert banks["BIDV"].bin == "970418" and banks["ICB"].bin == "970415"


def test_bank_data_is_consistent():
    banks = load_banks()
    bins = [bank.bin for bank in banks.values()]
    assert len(set(bins)) == len(bins)
    assert all(len(b) == 6 and b.isascii() and b.isdigit() for b in bins)
    assert all(code == bank.code for code, bank in banks.items())
    keys = [key.upper() for bank in banks.values() for key in (bank.code, *bank.aliases)]
    assert len(set(keys)) == len(keys)
    for bank in banks.values():
        assert bank.name.startswith("Ngân hàng"), bank
        assert unicodedata.is_normalized("NFC", bank.name)


def test_load_banks_hands_out_a_copy():
    load_banks().pop("VCB")
    assert "VCB" in load_banks()


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("VCB", "VCB"),
        ("vcb", "VCB"),
        (" Vcb ", "VCB"),
        ("970436", "VCB"),
        ("LienVietPostBank", "LPB"),
        ("970449", "LPB"),
        ("CTG", "ICB"),
        ("vbsp", "VBSP"),
        ("DongABank", "VIKKI"),
    ],
)
def test_bank_is_found_by_code_alias_or_bin_in_any_case(key, code):
    assert validate_bank_code(key).code == code


@pytest.mark.parametrize(("key", "fragment"), [("XYZ", "«XYZ»"), ("970499", "«970499»"), ("  ", "Chưa chọn")])
def test_unknown_bank_is_refused(key, fragment):
    message = message_of(validate_bank_code, key)
    assert fragment in message
    if key.strip():
        assert message == f"Không có ngân hàng nào có mã hoặc mã BIN «{key}»"


@PROPERTY
@given(st.sampled_from(sorted(load_banks())), st.booleans())
def test_every_bank_is_found_by_its_code_and_its_bin(code, lower):
    bank = load_banks()[code]
    assert validate_bank_code(code.lower() if lower else code) == bank
    assert validate_bank_code(bank.bin) == bank


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0123456789", "0123456789"),
        (" 0123 456-789 ", "0123456789"),
        ("123456", "123456"),
        ("1" * 19, "1" * 19),
        ("9704 3612 3456 7890", "9704361234567890"),
    ],
)
def test_account_numbers_keep_only_their_digits(value, expected):
    assert validate_account_number(value) == expected
    assert validate_account_number(value, "VCB") == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "Chưa nhập số tài khoản"),
        (" - ", "Chưa nhập số tài khoản"),
        ("12345", "từ 6 đến 19 chữ số; số đã nhập có 5 chữ số"),
        ("1" * 20, "số đã nhập có 20 chữ số"),
        ("12345A789", "chỉ được gồm chữ số"),
        ("123.456.789", "chỉ được gồm chữ số"),
        ("１２３４５６７", "chỉ được gồm chữ số"),
        ("000000000", "chỉ gồm chữ số 0"),
    ],
)
def test_bad_account_numbers_are_refused(value, fragment):
    assert fragment in message_of(validate_account_number, value)


def test_account_number_with_an_unknown_bank_is_refused():
    assert "«ZZZ»" in message_of(validate_account_number, "0123456789", "ZZZ")


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=6, max_size=19), st.data())
def test_account_number_survives_spaces_and_dashes(digits, data):
    assume(digits.strip("0"))
    written = "".join(ch + data.draw(st.sampled_from(["", " ", "-"])) for ch in digits)
    assert validate_account_number(written) == digits
    assert validate_account_number(digits) == digits


# --- Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nguyễn văn  AN", "Nguyễn Văn An"),
        ("  ĐẶNG thị ánh ", "Đặng Thị Ánh"),
        ("trần\tthị\nthu   hà", "Trần Thị Thu Hà"),
        ("h'hen niê", "H'Hen Niê"),
        ("ksor h\u2019mai", "Ksor H'Mai"),
        ("y\u2011moan ênuôl", "Y-Moan Ênuôl"),
        ("\u00d0inh văn \u00f0ức", "Đinh Văn Đức"),
        ("Lê\u200b Thị Bé", "Lê Thị Bé"),
        ("a pố", "A Pố"),
        ("ÔNG ÍCH KHIÊM", "Ông Ích Khiêm"),
    ],
)
def test_names_are_stored_title_cased_in_nfc(value, expected):
    assert normalize_name(value) == expected


def test_decomposed_input_gives_the_same_stored_name():
    nfd = unicodedata.normalize("NFD", "nguyễn thị ánh nguyệt")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert normalize_name(nfd) == "Nguyễn Thị Ánh Nguyệt"
    assert unicodedata.is_normalized("NFC", normalize_name(nfd))
    # str.title() on decomposed text would capitalise the letter after the accent: "NguyễN".
    assert normalize_name(unicodedata.normalize("NFD", "NGUYỄN")) == "Nguyễn"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "Chưa nhập họ tên"),
        (" \t ", "Chưa nhập họ tên"),
        ("Nguyễn Văn 2", "ký tự «2» không hợp lệ"),
        ("Nguyễn_Văn", "ký tự «_» không hợp lệ"),
        ("Lê Thị @n", "ký tự «@» không hợp lệ"),
        ("Lê. Thị", "ký tự «.» không hợp lệ"),
        ("Nguyễn - An", "phải đứng giữa hai chữ cái"),
        ("'An Nguyễn", "phải đứng giữa hai chữ cái"),
        ("Nguyễn An-", "phải đứng giữa hai chữ cái"),
        ("Y--Moan", "phải đứng giữa hai chữ cái"),
        ("A", "Họ tên phải có từ 2 đến 100 ký tự; đã nhập 1 ký tự"),
        ("A" * 101, "đã nhập 101 ký tự"),
    ],
)
def test_bad_names_are_refused(value, fragment):
    assert fragment in message_of(normalize_name, value)


def test_name_length_bounds_are_inclusive():
    assert normalize_name("Ab") == "Ab"
    assert len(normalize_name("a" * 100)) == 100


VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
VIETNAMESE_LETTERS = sorted(
    {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} | set("bcdđghklmnpqrstvx")
)
vietnamese_word = st.text(alphabet=st.sampled_from(VIETNAMESE_LETTERS), min_size=1, max_size=7)
vietnamese_name = st.lists(vietnamese_word, min_size=2, max_size=5).map(" ".join)


@st.composite
def typed_vietnamese_name(draw):
    """A Vietnamese name as someone might type it: any case, composed or decomposed, extra spaces."""
    name = draw(vietnamese_name)
    cased = "".join(ch.upper() if draw(st.booleans()) else ch for ch in name)
    spaced = cased.replace(" ", draw(st.sampled_from([" ", "  ", "\t", " \u00a0"])))
    form = draw(st.sampled_from(["NFC", "NFD"]))
    return name, unicodedata.normalize(form, spaced)


@PROPERTY
@given(typed_vietnamese_name())
def test_vietnamese_names_normalise_to_one_stable_nfc_form(case):
    plain, typed = case
    stored = normalize_name(typed)
    assert unicodedata.is_normalized("NFC", stored)
    assert normalize_name(stored) == stored
    assert stored == normalize_name(plain)
    assert stored == normalize_name(unicodedata.normalize("NFD", stored))
    assert [word[0] for word in stored.split(" ")] == [word[0].upper() for word in plain.split(" ")]
    for word in stored.split(" "):
        assert word[1:] == word[1:].lower()


name_like = st.text(
    alphabet=st.characters(categories=["L"]) | st.sampled_from([" ", "'", "-", "\u0301", "\u0323"]),
    min_size=1,
    max_size=40,
)


@PROPERTY
@given(name_like)
def test_any_accepted_name_is_nfc_and_a_fixed_point(value):
    try:
        stored = normalize_name(value)
    except InvalidValue:
        assume(False)
    assert unicodedata.is_normalized("NFC", stored)
    assert normalize_name(stored) == stored
    assert 2 <= len(stored) <= 100
    assert all(ch.isalpha() or ch in " '-" for ch in stored)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đặng Thị Ánh", "dang thi anh"),
        ("NGUYỄN VĂN AN", "nguyen van an"),
        ("Trương  Thị\tỨng", "truong thi ung"),
        ("H'Hen Niê", "h'hen nie"),
        ("Ðinh", "dinh"),
        ("", ""),
    ],
)
def test_fold_diacritics_gives_the_search_key(text, folded):
    assert fold_diacritics(text) == folded
    assert fold_diacritics(unicodedata.normalize("NFD", text)) == folded


@PROPERTY
@given(vietnamese_name, st.booleans())
def test_folded_vietnamese_is_lowercase_ascii_and_matches_the_stored_name(name, upper):
    typed = name.upper() if upper else name
    folded = fold_diacritics(typed)
    assert folded.isascii()
    assert folded == folded.lower()
    assert fold_diacritics(folded) == folded
    assert fold_diacritics(normalize_name(typed)) == folded
    assert len(folded) == len(unicodedata.normalize("NFC", name))


@PROPERTY
@given(st.text(max_size=40))
def test_folding_is_idempotent_for_any_text(text):
    folded = fold_diacritics(text)
    assert fold_diacritics(folded) == folded
    assert not any(unicodedata.combining(ch) for ch in folded)


# --- Mobile money, e-wallets, banks by name ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "VBA", "bank"),
        ("ngan hang nong nghiep va phat trien nong thon viet nam", "VBA", "bank"),
        ("agribank", "VBA", "bank"),
        ("970436", "VCB", "bank"),
        ("Viettel Money", "VIETTELMONEY", "mobile_money"),
        ("vnpt money", "VNPTMONEY", "mobile_money"),
        ("MobiFone Money", "MOBIFONEMONEY", "mobile_money"),
        ("MoMo", "MOMO", "ewallet"),
        ("ví điện tử zalopay (công ty cp zion)", "ZALOPAY", "ewallet"),
    ],
)
def test_banks_and_wallet_providers_are_found_by_name_or_code(text, code, kind):
    found = find_provider(text)
    assert (found.code, found.kind, account_kind(found.code)) == (code, kind, kind)


def test_an_unknown_provider_names_what_was_written():
    assert "«Ví Ma»" in message_of(find_provider, "Ví Ma")
    assert "Chưa chọn" in message_of(find_provider, "  ")


def test_the_picker_lists_banks_by_name_then_mobile_money_then_wallets():
    choices = provider_choices()
    kinds = [account_kind(code) for code in choices]
    assert kinds == sorted(kinds, key=["bank", "mobile_money", "ewallet"].index)
    assert choices["VBA"] == "Agribank — Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"
    assert choices["VIETTELMONEY"] == "Viettel Money — Mobile Money"
    assert choices["MOMO"] == "MoMo — Ví điện tử"
    assert set(load_banks()) < set(load_providers()) and len(load_providers()) == len(load_banks()) + 7
    assert all(bank.kind == "bank" for bank in load_banks().values())


def test_a_mobile_money_account_is_the_subscribers_phone():
    assert validate_account("VIETTELMONEY", "+84 912 345 678") == "0912345678"
    assert "Mobile Money là số điện thoại" in message_of(validate_account, "Viettel Money", "5100123456")
    assert validate_account("MOMO", "0912 345 678") == "0912345678"
    assert validate_account("MOMO", "99001234567") == "99001234567"  # a wallet number the provider gave
    assert validate_account("Agribank", "5100 1234 56") == "5100123456"
    assert "chỉ được gồm chữ số" in message_of(validate_account, "VBA", "51A0")
    assert (account_label("MOMO"), account_label("VIETTELMONEY"), account_label("VBA")) == (
        "Ví điện tử MoMo",
        "Mobile Money Viettel Money",
        "Agribank",
    )
    assert account_label(None) == "" and account_kind("NOPE") is None
