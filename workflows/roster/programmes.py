"""Which programme a roll's category belongs to: social assistance (Decree 20/2021) or merit allowances
(Decree 75/2021), as ``workflows.programmes`` knows them."""

from __future__ import annotations

from .. import programmes

SOCIAL_ASSISTANCE = programmes.SOCIAL


def programme_of(category_code: str) -> str:
    return programmes.programme_of(category_code) or SOCIAL_ASSISTANCE
