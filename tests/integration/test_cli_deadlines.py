"""``ansinh calendar …`` and ``ansinh deadlines sweep``: the admin's days from the command line, and a
sweep run by hand (what the scheduler's deadline job does every tick)."""

from __future__ import annotations

import json

from tests.integration.test_cli import cli, error_line  # noqa: F401  (the fixture)


def test_calendar_days_from_the_command_line(cli):  # noqa: F811
    code, out, err = cli(
        "calendar", "add", "2025-02-08", "working_day", "--note", "Tết 2025", "--user", "ops"
    )
    assert (code, err, out) == (0, "", "08/02/2025 is now a working day\n")
    code, out, _ = cli("calendar", "list", "--year", "2025", "--json")
    assert code == 0
    assert [(d["day"], d["kind"], d["note"], d["created_by"]) for d in json.loads(out)] == [
        ("2025-02-08", "working_day", "Tết 2025", "ops")
    ]
    code, _, err = cli("calendar", "add", "2025-02-10", "working_day", "--note", "a Monday")
    assert code == 1 and "already a working day" in error_line(err)
    assert cli("calendar", "remove", "2025-02-08")[:2] == (0, "08/02/2025 is back to the official calendar\n")
    code, _, err = cli("calendar", "remove", "2025-02-08")
    assert code == 1 and "is not in the calendar" in error_line(err)
    assert cli("calendar", "list")[1] == "no extra day in the calendar\n"


def test_a_sweep_by_hand(cli):  # noqa: F811
    assert cli("deadlines", "sweep") == (0, "nothing due\n", "")
    code, out, _ = cli("deadlines", "sweep", "--json")
    assert (code, json.loads(out)["found"]) == (0, 0)
