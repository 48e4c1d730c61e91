"""Personal data on screen: who sees CCCD and account numbers in full, and how others see them masked.

Roles that need a number to do their step see it (and every such view is recorded in the history);
everyone else sees it masked. The police never see account numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

SEES_CCCD = frozenset({"commune", "district_labour", "police", "provider"})
SEES_ACCOUNT = frozenset({"provider"})


def mask(value: str | None, keep: int = 4) -> str:
    """``"062150123456"`` → ``"********3456"``; empty stays empty."""
    if not value:
        return ""
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def sees_cccd(roles: Iterable[str]) -> bool:
    return bool(SEES_CCCD.intersection(roles))


def sees_account(roles: Iterable[str]) -> bool:
    return bool(SEES_ACCOUNT.intersection(roles))
