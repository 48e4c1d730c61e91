"""Case codes for new people: the commune's official code and a running number, ``23311-000042``.

Readable on the phone and on paper, unique because each commune's numbers are taken inside the writing
transaction (SQLite serialises writers; on PostgreSQL a clash fails the unit of work, which is retried).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from .models import Beneficiary

WIDTH = 6


def new_codes(conn: Connection, commune_official_code: str, count: int) -> list[str]:
    """``count`` unused codes for people of one commune, after the highest one it has."""
    prefix = f"{commune_official_code}-"
    highest = conn.scalar(
        select(func.max(Beneficiary.code)).where(
            Beneficiary.code >= prefix,
            Beneficiary.code < f"{commune_official_code}.",
            func.length(Beneficiary.code) == len(prefix) + WIDTH,
        )
    )
    start = int(highest[len(prefix) :]) + 1 if highest and highest[len(prefix) :].isdigit() else 1
    return [f"{prefix}{number:0{WIDTH}d}" for number in range(start, start + count)]
