"""``ansinh enrolments children``: a single parent's number of children changes from a given month.

  ansinh enrolments children BN1000001 3 --from 2024-09 --source "giấy khai sinh số 12" [--programme merit]

The months from ``--from`` are paid by the new count (arrears included), those before keep theirs; the
change is in the case's history.
"""

from __future__ import annotations

import sys
from datetime import date


def register(sub, command, show) -> None:
    def children(args) -> int:
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from engine.models import Instance
        from workflows.beneficiaries.enrolments import record_children

        try:
            year, month = (int(part) for part in args.start.split("-"))
            start = date(year, month, 1)
        except ValueError:
            print(f"error: --from: «{args.start}» is not a month YYYY-MM", file=sys.stderr)
            return 2
        ctx = args.ctx()
        with ctx.db.transaction() as conn:
            case = conn.execute(
                select(Instance.id).where(Instance.business_key == args.code).order_by(Instance.id.desc())
            ).first()
            try:
                row = record_children(
                    Session(bind=conn), args.code, args.programme, args.count, start, ctx.now(),
                    source=args.source, instance_id=case[0] if case else None, actor=args.user or "cli",
                )  # fmt: skip
            except LookupError:
                print(f"error: {args.code} has no {args.programme} enrolment", file=sys.stderr)
                return 1
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            shown = {"code": args.code, "programme": args.programme, "children_count": args.count,
                     "from": start.isoformat(), "latest_count": row.children_count}  # fmt: skip
        show(shown, args.json, lambda s: [f"{s['code']}: {s['children_count']} children from {s['from']}"])
        return 0

    group = sub.add_parser("enrolments", help="the programmes people are paid by").add_subparsers(
        metavar="ACTION"
    )
    p = command(group, "children", children, "a single parent's children from a month on", json_flag=True)
    p.add_argument("code", help="the beneficiary's code")
    p.add_argument("count", type=int, help="children raised from that month (1 to 20)")
    p.add_argument("--from", dest="start", required=True, help="first month paid by the new count, YYYY-MM")
    p.add_argument("--source", required=True, help="the document it rests on (recorded)")
    p.add_argument("--programme", default="social_assistance", choices=["social_assistance", "merit"])
