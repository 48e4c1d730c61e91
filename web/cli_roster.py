"""``ansinh org load`` and ``ansinh roster import``: bringing a province's organisation and its existing
rolls in from the command line. Each command is one call into ``workflows``.

  ansinh org load --structure 2024|2025 [--until YYYY-MM-DD]
  ansinh org successions FILE.csv [--user U]   old,new,effective_from,source; all rows or none
  ansinh roster import FILE [--user U] [--json]      prints the report's JSON as its last line
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import engine

BPMN = Path(__file__).resolve().parents[1] / "bpmn"


def register(sub, command, show) -> None:
    """``command`` and ``show`` are the main parser's helpers (a subcommand, and text-or-JSON output)."""

    def org_load(args) -> None:
        from workflows.org.setup import load_organisation

        until = date.fromisoformat(args.until) if args.until else None
        with args.ctx().db.write() as session:
            loaded = load_organisation(session, args.structure, until)

        def lines(o):
            yield (f"structure {o.structure}, province {o.province}: {o.areas} areas ({o.areas_added} new), "
                   f"{o.agencies} agencies, {o.assignments} role assignments")  # fmt: skip
            added, changed = o.areas_added + o.rows_added, o.areas_changed + o.rows_changed
            yield "nothing changed" if not added + changed else f"{added} rows added, {changed} corrected"

        show(loaded, args.json, lines)

    def org_successions(args) -> int:
        from workflows.org.switchover import load_successions_csv

        ctx = args.ctx()
        text = Path(args.file).read_text(encoding="utf-8")
        with ctx.db.write() as session:
            loaded = load_successions_csv(session, text, args.user or "cli", ctx.now())
        for p in loaded.problems:
            print(f"error: line {p.row}, {p.column}: {p.message}", file=sys.stderr)
        show(
            loaded,
            args.json,
            lambda o: [f"{o.added} added, {o.corrected} corrected, {o.unchanged} unchanged"],
        )
        return 1 if loaded.problems else 0

    def roster_import(args) -> int:
        from sqlalchemy import select

        from workflows.accounts.models import User
        from workflows.roster import import_roll

        ctx = args.ctx()
        path = Path(args.file)
        agency = None
        if args.user:
            with ctx.db.read() as session:
                agency = session.scalar(select(User.agency_code).where(User.username == args.user))
            if agency is None:
                print(f"error: no user {args.user!r}", file=sys.stderr)
                return 1
        engine.deploy_paths(ctx, [BPMN])  # the cases' process, if this database has not had it yet
        progress = None if args.json else _progress
        report = import_roll(
            ctx,
            path.name,
            path.read_bytes(),
            actor=args.user or "cli",
            agency_code=agency,
            on_progress=progress,
        )
        if args.json:
            print(json.dumps(report.as_json(), ensure_ascii=False))
            return 0
        for p in report.problems:
            label = "rejected" if p.kind == "rejected" else "difference"
            print(f"row {p.row}\t{label}\t{p.column or ''}\t{p.reason}")
        print(f"{report.created} created, {report.unchanged} unchanged, {report.differences} differences, "
              f"{report.rejected} rejected")  # fmt: skip
        return 0

    org = sub.add_parser("org", help="the organisation: areas, agencies, role assignments").add_subparsers(
        metavar="ACTION"
    )
    p = command(org, "load", org_load, "load a structure's areas and agencies (no people, no staff)", True)
    p.add_argument("--structure", required=True, choices=["2024", "2025"])
    p.add_argument("--until", help="last day + 1 of the assignments (YYYY-MM-DD; default: open-ended)")
    p = command(org, "successions", org_successions, "load or correct areas' successions from a CSV", True)
    p.add_argument("file")
    roster = sub.add_parser("roster", help="existing rolls (danh sách đối tượng đang hưởng)").add_subparsers(
        metavar="ACTION"
    )
    p = command(
        roster, "import", roster_import, "import a roll (xlsx or csv); resumes an interrupted one", True
    )
    p.add_argument("file")


def _progress(report) -> None:
    print(f"{report.rows_done}/{report.rows_total} rows", file=sys.stderr, flush=True)
