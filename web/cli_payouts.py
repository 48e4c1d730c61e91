"""``ansinh payouts …``: the monthly payout from the command line. Each command is one call into
``workflows.payouts``; ``register`` adds them to the main parser (kept here so ``web/cli.py`` stays short).

  ansinh payouts start 2024-08 [--area 2024:608]     every area's cycle for the month, or one
  ansinh payouts show CYCLE [--json]                 CYCLE: an id or a key like PAY-2024:608-2024-08
  ansinh payouts import CYCLE FILE [--kind cash]     a results file (CSV or XLSX); refused rows listed
  ansinh payouts export CYCLE list|returned|report [--format xlsx] [--method account] [--out PATH]
  ansinh payouts notices                             deliver payout_failed notices still pending
"""

from __future__ import annotations

import sys
from pathlib import Path


def _cycle_id(ctx, text: str) -> int:
    from workflows import payouts

    return payouts.get_cycle(ctx, int(text)).id if text.isdigit() else payouts.get_cycle(ctx, key=text).id


def register(sub, command, show) -> None:
    """``command`` and ``show`` are the main parser's helpers (a subcommand, and text-or-JSON output)."""
    from workflows.payouts.common import money

    def start(args) -> None:
        from workflows import payouts

        ctx = args.ctx()
        if args.area:
            started = [payouts.start_cycle(ctx, args.area, args.month, actor=args.user)]
        else:
            started = payouts.start_monthly_cycles(ctx, args.month)

        def lines(cycles):
            for c in cycles:
                yield f"{c.business_key}\tcycle {c.cycle_id}\t{'started' if c.created else 'already started'}"
            if not cycles:
                yield "nobody to pay this month"

        show(started, args.json, lines)

    def show_cycle(args) -> None:
        from workflows import payouts

        ctx = args.ctx()
        cycle = payouts.get_cycle(ctx, _cycle_id(ctx, args.cycle))
        step = payouts.open_step(ctx, cycle.id)

        def lines(c):
            b = c.books
            yield f"{c.business_key} ({c.area_name}, {c.month:%m/%Y}): {c.status}"
            yield f"list: {c.line_count} lines, {money(c.total_amount)}"
            yield f"approved list hash: {c.list_hash or 'not approved yet'}"
            for method, total in c.by_method.items():
                yield f"  {method}: {total.lines} lines, {money(total.amount)}"
            yield (f"transferred {money(b.transferred)}; paid by account {money(b.paid_account)}, in cash "
                   f"{money(b.paid_cash)}; to return {money(b.to_return)}, returned {money(b.returned)}; "
                   f"without a result {b.unresolved_lines}")  # fmt: skip
            yield f"waiting for: {step.bpmn_id} ({step.role})" if step else "no open step"
            for reason, left in (c.generation or {}).get("left_off", {}).items():
                yield f"left off ({reason}): {left['count']} — {left['label']}"

        if args.json:
            from dataclasses import asdict

            from workflows.payouts.payees import payees

            show({**asdict(cycle), "lines": payees(ctx, cycle.id)}, True, lines)
        else:
            show(cycle, False, lines)

    def import_file(args) -> int:
        from workflows import payouts

        ctx = args.ctx()
        path = Path(args.file)
        try:
            report = payouts.import_results(
                ctx, _cycle_id(ctx, args.cycle), path.name, path.read_bytes(), kind=args.kind, actor=args.user
            )
        except payouts.ImportRefused as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        refused = payouts.import_rows(ctx, report.import_id, outcomes=["refused"], limit=args.limit)

        def lines(r):
            again = " (this file was imported before: nothing changed)" if r.already_imported else ""
            yield (f"import {r.import_id}: {r.rows_total} rows, {r.applied} applied, {r.duplicates} already "
                   f"recorded, {r.refused} refused{again}")  # fmt: skip
            for row_no, _, _, message in refused:
                yield f"  row {row_no}: {message}"

        show(report, args.json, lines)
        return 0

    def export(args) -> None:
        from workflows.payouts import files, report

        ctx = args.ctx()
        cycle_id = _cycle_id(ctx, args.cycle)
        xlsx = args.format == "xlsx" or args.what == "report"
        if args.what == "list":
            make = files.payment_list_xlsx if xlsx else files.payment_list_csv
            content = make(ctx, cycle_id, args.method)
        elif args.what == "returned":
            content = (files.returned_list_xlsx if xlsx else files.returned_list_csv)(ctx, cycle_id)
        else:
            content = report.monthly_report_xlsx(ctx, cycle_id, issuer_role=args.issuer)
        out = Path(args.out or f"{args.what}-{cycle_id}.{'xlsx' if xlsx else 'csv'}")
        out.write_bytes(content)
        print(f"wrote {out} ({len(content):,} bytes)")

    def notices(args) -> None:
        from workflows import payouts

        sweep = payouts.deliver_notices(args.ctx())
        show(sweep, args.json, lambda s: [
            f"{s.delivered} delivered, {s.unmatched} with no case waiting, {s.duplicates} delivered before, "
            f"{s.conflicts} left for later"
        ])  # fmt: skip

    group = sub.add_parser("payouts", help="monthly payout cycles").add_subparsers(metavar="ACTION")
    p = command(group, "start", start, "start the month's cycles (or one area's)", True)
    p.add_argument("month", help="YYYY-MM")
    p.add_argument("--area", help="one area's cycle only, e.g. 2024:608")
    p = command(group, "show", show_cycle, "a cycle's list, money and open step", True)
    p.add_argument("cycle", help="cycle id or key (PAY-2024:608-2024-08)")
    p = command(group, "import", import_file, "import a results file (CSV or XLSX)", True)
    p.add_argument("cycle")
    p.add_argument("file")
    p.add_argument("--kind", choices=["account", "cash"], default="account")
    p.add_argument("--limit", type=int, default=50, help="refused rows to list")
    p = command(group, "export", export, "write the payment list, returned funds or the monthly report")
    p.add_argument("cycle")
    p.add_argument("what", choices=["list", "returned", "report"])
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--method", choices=["account", "cash"], help="payment list: one method only")
    p.add_argument("--issuer", choices=["district_pc", "provider"], default="district_pc")
    p.add_argument("--out", help="file to write (default: <what>-<cycle>.<format>)")
    command(group, "notices", notices, "deliver pending payout_failed notices to their cases", True)
