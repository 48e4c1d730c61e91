"""The Kon Tum 2024 demo that ``make run`` loads on first start: areas, agencies, a user per agency and
about 300 beneficiaries whose cases stand at every step of the process."""

from .loader import PREFIX, SHOWCASE, DemoSummary, load_demo, plan_journeys
from .users import ADMIN, DEMO_PASSWORD, DemoUser, demo_users, username_for

__all__ = [
    "ADMIN",
    "DEMO_PASSWORD",
    "PREFIX",
    "SHOWCASE",
    "DemoSummary",
    "DemoUser",
    "demo_users",
    "load_demo",
    "plan_journeys",
    "username_for",
]
