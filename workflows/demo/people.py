"""Made-up but plausible people of Kon Tum for the demo: Kinh names and the naming customs of the
province's ethnic minorities (Ba Na, Xơ Đăng, Giẻ Triêng: "A …" for men, "Y …" for women; Gia Rai: a
clan name, and "H'…" for women), ages that fit their category, CCCDs whose digits agree with them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..validators import validate_cccd

CCCD_PROVINCE = "062"  # Kon Tum's code for the province where birth was registered
MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
                   "081", "082", "083", "084", "085", "088", "091", "094", "070", "076", "077", "078",
                   "079", "089", "090", "093", "056", "058", "092")  # fmt: skip

KINH_FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm"] * 2 + [
    "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Trương", "Đinh",
]  # fmt: skip
KINH_MIDDLE = {"male": ["Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Công", "Xuân"],
               "female": ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Hồng"]}  # fmt: skip
KINH_GIVEN = {
    "male": ["Hùng", "Dũng", "Tuấn", "Nam", "Sơn", "Bình", "Hải", "Long", "Phúc", "Thành", "Lâm", "Cường",
             "Quý", "Tài", "Đạt", "Hiếu", "Trung", "Toàn", "Lộc", "Thắng"],
    "female": ["Hoa", "Lan", "Hương", "Mai", "Hằng", "Thảo", "Nga", "Liên", "Nhung", "Hạnh", "Xuân", "Tuyết",
               "Oanh", "Loan", "Yến", "Trang", "Vân", "Huệ", "Cúc", "Hoà"],
}  # fmt: skip
HIGHLAND_GIVEN = {  # Ba Na, Xơ Đăng, Giẻ Triêng, Brâu, Rơ Măm
    "male": ["Thuận", "Nhuý", "Brưu", "Blưi", "Dũi", "Hyuh", "Khiêm", "Rin", "Sang", "Thiên", "Đel", "Rưm",
             "Pếch", "Tơ", "Khanh", "Vương", "Bốc", "Nhong", "Nhăm", "Kiên", "Thoan", "Hmưn"],
    "female": ["Hlin", "Đôn", "Blưn", "Nghĩa", "Thơm", "Ngọc", "Rin", "Pơ", "Suôn", "Tem", "Ngan", "Bêng",
               "Xuân", "Hạnh", "Mai", "Liên", "Thiết", "Nhi", "Bích", "Khuyên", "Diễm", "Rớt"],
}  # fmt: skip
JARAI_FAMILY = ["Rơ Châm", "Siu", "Ksor", "Rơ Mah", "Kpă", "Nay", "Rơ Lan", "Puih"]
JARAI_GIVEN = {
    "male": ["Thuân", "Hyăk", "Nưm", "Blơng", "Kuin", "Hlăk", "Jư", "Pứt", "Lang", "Bik"],
    "female": ["H'Lanh", "H'Nhi", "H'Bla", "H'Luyến", "H'Mai", "H'Nga", "H'Yen", "H'Djuê", "H'Ngơm"],
}  # fmt: skip
VILLAGES = {
    "kinh": ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn 5", "Thôn 6", "Thôn Tân Hương", "Thôn Đăk Tân",
             "Thôn Thanh Trung", "Thôn Kon Tu Dốp"],
    "highland": ["Làng Kon Klor", "Làng Plei Tơ Nghia", "Thôn Kon Hra Chót", "Làng Kon Rơ Wang",
                 "Thôn Đăk Wơk", "Thôn Kon Jơ Ri", "Thôn Đăk Dế", "Làng Plei Đôn", "Thôn Kon Hring",
                 "Thôn Tu Rơ Bua", "Thôn Măng Rương", "Thôn Đăk Pung", "Làng Kon Mơ Nay Kơ Tu"],
    "jarai": ["Làng Chốt", "Làng Trấp", "Làng Rắc", "Thôn Ia Đal", "Làng Chờ", "Thôn Ia Tơr"],
}  # fmt: skip
# Share of each naming custom by district (official 2024 codes); wards of the city are mostly Kinh.
PEOPLES = {
    "608": (0.55, 0.40, 0.05), "610": (0.2, 0.8, 0.0), "611": (0.45, 0.45, 0.10), "612": (0.4, 0.6, 0.0),
    "613": (0.15, 0.85, 0.0), "614": (0.3, 0.7, 0.0), "615": (0.55, 0.45, 0.0), "616": (0.35, 0.25, 0.40),
    "617": (0.05, 0.95, 0.0), "618": (0.5, 0.0, 0.5), "ward": (0.85, 0.15, 0.0),
}  # fmt: skip
# Category → (weight, youngest, oldest age) under Decree 20/2021.
CATEGORIES = {
    "elderly_80_plus_no_pension": (30, 80, 97), "elderly_poor_alone_60_80": (8, 60, 79),
    "elderly_poor_alone_80_plus": (4, 80, 95), "elderly_75_80_poor_ethnic_area": (6, 75, 79),
    "elderly_poor_community_care": (2, 60, 85), "disabled_severe": (18, 18, 59),
    "disabled_particularly_severe": (8, 18, 59), "disabled_severe_child": (4, 3, 15),
    "disabled_severe_elderly": (6, 60, 90), "disabled_particularly_severe_child": (2, 3, 15),
    "disabled_particularly_severe_elderly": (3, 60, 90), "orphan_under_4": (1, 1, 3),
    "orphan_4_plus": (3, 4, 15), "orphan_studying_16_22": (2, 16, 22), "child_hiv_poor_4_to_16": (1, 4, 15),
    "single_parent_poor": (5, 20, 45), "child_under_3_poor_ethnic_area": (4, 0, 2),
    "hiv_poor_no_income": (1, 20, 55),
}  # fmt: skip
GUARDIANS = ["Bà nội", "Ông nội", "Bà ngoại", "Chú ruột", "Cô ruột", "Anh ruột", "Chị ruột"]
CARERS = ["Con trai", "Con gái", "Cháu nội", "Con dâu"]


@dataclass
class Representative:
    kind: str  # guardian | authorised
    full_name: str
    cccd: str
    phone: str
    relationship: str
    document: str


@dataclass
class Person:
    full_name: str
    gender: str
    date_of_birth: date
    cccd: str  # the number they hold, or will be issued when ``has_cccd`` is False
    has_cccd: bool
    phone: str | None
    village: str
    category_code: str
    mobility: str
    representative: Representative | None = None
    extra: dict = field(default_factory=dict)


class People:
    """Draws people deterministically from ``rng``; CCCD numbers are never repeated."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.cccds: set[str] = set()

    def person(self, district: str, ward: bool, *, without_cccd: bool = False) -> Person:
        rng = self.rng
        custom = self._custom(district, ward)
        categories = list(CATEGORIES)
        if without_cccd:  # children, and a few old people in remote villages who never had one
            categories = [c for c in categories if CATEGORIES[c][2] < 14 or c.startswith("elderly_80")]
        category = rng.choices(categories, [CATEGORIES[c][0] for c in categories])[0]
        _, youngest, oldest = CATEGORIES[category]
        gender = (
            "female"
            if category == "single_parent_poor" and rng.random() < 0.9
            else rng.choice(["male", "female"])
        )
        born = self._birthday(youngest, oldest)
        age = self._age(born)
        has_cccd = not without_cccd and age >= 14 and rng.random() > 0.04
        mobility = "mobile"
        if age >= 80 or "disabled" in category:
            mobility = rng.choices(["mobile", "limited", "bedridden"], [5, 3, 2])[0]
        representative = None
        if age < 16:
            representative = self._representative("guardian", custom, GUARDIANS)
        elif mobility == "bedridden" and rng.random() < 0.6:
            representative = self._representative("authorised", custom, CARERS)
        phone = self.phone() if 16 <= age < 85 and rng.random() < 0.75 else None
        return Person(
            full_name=self.name(custom, gender),
            gender=gender,
            date_of_birth=born,
            cccd=self.cccd(born, gender),
            has_cccd=has_cccd,
            phone=phone,
            village=self.village(custom, ward),
            category_code=category,
            mobility=mobility,
            representative=representative,
        )

    def name(self, custom: str, gender: str) -> str:
        rng = self.rng
        if custom == "kinh":
            middle = rng.choice(KINH_MIDDLE[gender])
            return f"{rng.choice(KINH_FAMILY)} {middle} {rng.choice(KINH_GIVEN[gender])}"
        if custom == "jarai":
            return f"{rng.choice(JARAI_FAMILY)} {rng.choice(JARAI_GIVEN[gender])}"
        prefix = "A" if gender == "male" else "Y"
        return f"{prefix} {rng.choice(HIGHLAND_GIVEN[gender])}"

    def cccd(self, born: date, gender: str) -> str:
        century = (born.year // 100 - 19) * 2 + (1 if gender == "female" else 0)
        while True:
            number = f"{CCCD_PROVINCE}{century}{born.year % 100:02d}{self.rng.randrange(10**6):06d}"
            if number not in self.cccds:
                self.cccds.add(number)
                return validate_cccd(number, born, gender)

    def phone(self) -> str:
        return f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**7):07d}"

    def village(self, custom: str, ward: bool) -> str:
        if ward:
            return f"Tổ dân phố {self.rng.randint(1, 9)}"
        return self.rng.choice(VILLAGES[custom])

    def _custom(self, district: str, ward: bool) -> str:
        shares = PEOPLES["ward" if ward else district] if ward or district in PEOPLES else (0.5, 0.5, 0.0)
        return self.rng.choices(["kinh", "highland", "jarai"], shares)[0]

    def _birthday(self, youngest: int, oldest: int) -> date:
        latest = _years_before(self.today, youngest) - timedelta(days=30)
        earliest = _years_before(self.today, oldest + 1) + timedelta(days=30)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days))

    def _age(self, born: date) -> int:
        return self.today.year - born.year - ((self.today.month, self.today.day) < (born.month, born.day))

    def _representative(self, kind: str, custom: str, relationships: list[str]) -> Representative:
        gender = self.rng.choice(["male", "female"])
        born = self._birthday(25, 65)
        number = self.rng.randint(1, 240)
        document = (
            f"QĐ công nhận giám hộ số {number}/QĐ-UBND"
            if kind == "guardian"
            else f"Giấy ủy quyền có chứng thực số {number}/CT"
        )
        return Representative(
            kind=kind,
            full_name=self.name(custom, gender),
            cccd=self.cccd(born, gender),
            phone=self.phone(),
            relationship=self.rng.choice(relationships),
            document=document,
        )


def _years_before(day: date, years: int) -> date:
    return date(day.year - years, day.month, 28 if (day.month, day.day) == (2, 29) else day.day)
