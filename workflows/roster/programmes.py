"""Which programme a category belongs to: social assistance (Decree 20/2021) unless the entitlement data
marks it otherwise (merit allowances, Decree 75/2021, carry ``programme`` there)."""

from __future__ import annotations

from ..entitlements import load_entitlements

SOCIAL_ASSISTANCE = "social_assistance"


def programme_of(category_code: str) -> str:
    category = load_entitlements().categories.get(category_code)
    return getattr(category, "programme", None) or SOCIAL_ASSISTANCE
