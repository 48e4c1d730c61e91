"""``ansinh instances migrate``: move running instances to another version of their process.

ansinh instances migrate --to KEY[:VERSION] [--id ID ...] [--dry-run] [--json]
Without --id every instance that can move is moved; the others stay, each with its reason.
"""

from __future__ import annotations


def register(instances, command, show) -> None:
    def lines(report):
        for c in report["checks"]:
            verdict = "can move" if not c.blockers else "stays: " + "; ".join(c.blockers)
            yield f"{c.instance_id}\t{c.business_key}\tv{c.from_version}\t{','.join(c.waiting_at)}\t{verdict}"
        if report["result"] is not None:
            r = report["result"]
            yield f"moved {len(r.moved)} to v{r.to_version}; {len(r.refused)} stay"
        elif not report["checks"]:
            yield "no running instance is on another version"

    def migrate(args) -> None:
        from workflows.processes import migrate_instances, preview_migration

        key, _, number = args.to.partition(":")
        version = int(number) if number else None
        checks = preview_migration(args.ctx(), key, version)
        result = None
        if not args.dry_run:
            ids = args.id or [c.instance_id for c in checks if not c.blockers]
            result = migrate_instances(args.ctx(), key, ids, version, actor=args.user)
        show({"checks": checks, "result": result}, args.json, lines)

    p = command(instances, "migrate", migrate, "move running instances to a process version", json_flag=True)
    p.add_argument(
        "--to", required=True, metavar="KEY[:VERSION]", help="the process and version (newest if left out)"
    )
    p.add_argument("--id", type=int, action="append", help="only this instance (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="show which instances can move, move nothing")
