"""``ansinh``: the command line over the engine (and, as they land, the domain and the web app).

Every command opens its own unit of work through the engine's functions. An error prints one clear
line on stderr and exits non-zero; listing commands take ``--json``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import Any

import engine
from engine.errors import EngineError
from workflows.forms import FORMS, FormInvalid
from workflows.tasks import submit_task

from . import cli_backup, cli_enrolments, cli_jobs, cli_payouts, cli_processes, cli_roster, cli_tokens, config


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    from . import logs

    logs.configure(getattr(args, "log_level", "WARNING"))
    args.ctx = _LazyContext()
    try:
        return args.handler(args) or 0
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except json.JSONDecodeError as exc:
        print(f"error: --data is not valid JSON: {exc}", file=sys.stderr)
        return 2
    except FormInvalid as exc:  # a step's form refused the data: each field and what is wrong with it
        for name, messages in exc.errors.items():
            print(f"error: {name}: {' '.join(messages)}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    finally:
        args.ctx.close()


class _LazyContext:
    """The engine context, built on first use (``--help`` needs no database) and closed by ``main``."""

    def __init__(self) -> None:
        self._ctx = None

    def __call__(self):
        if self._ctx is None:
            from workflows.bootstrap import bootstrap

            from . import dashboard_tables  # noqa: F401  (registers the file builder its jobs run)

            self._ctx = bootstrap(config.database_url())  # refuses a schema that is not current
        return self._ctx

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.db.dispose()


def _print(value: Any, as_json: bool, lines) -> None:
    if as_json:
        print(json.dumps(_plain(value), ensure_ascii=False, indent=2))
    else:
        for line in lines(value):
            print(line)


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _json_object(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise EngineError("--data must be a JSON object, like '{\"amount\": 1}'")
    return value


# --- commands -----------------------------------------------------------------------------------


def cmd_db_upgrade(args) -> None:
    from workflows.bootstrap import bootstrap

    bootstrap(config.database_url(), upgrade=True).db.dispose()  # the one place the schema changes
    print("database is up to date")


def cmd_deploy(args) -> None:
    results = engine.deploy_paths(args.ctx(), args.paths, deployed_by=args.user)
    _print(
        results,
        args.json,
        lambda rs: [f"{r.key} v{r.version} ({'new' if r.created else 'unchanged'})" for r in rs],
    )


def cmd_processes(args) -> None:
    _print(
        engine.list_processes(args.ctx()),
        args.json,
        lambda ps: [f"{p.key}\tv{p.version}\t{p.name or ''}" for p in ps] or ["no process is deployed"],
    )


def cmd_instances_start(args) -> None:
    result = engine.start_instance(
        args.ctx(), args.key, args.business_key, args.area, _json_object(args.data), actor=args.user
    )
    _print(result, args.json, _step_lines)


def cmd_instances_show(args) -> None:
    view = engine.get_instance(args.ctx(), args.id)

    def lines(v):
        yield f"instance {v.id}: {v.process_key} v{v.process_version}, {v.status} (version {v.version})"
        yield f"business key {v.business_key}, area {v.area_code}, started {v.started_at.isoformat()}"
        if v.next_timer_at:
            yield f"next timer due {v.next_timer_at.isoformat()}"
        for t in v.open_tasks:
            yield f"open task {t.id} {t.bpmn_id} ({t.role or '-'})"
        for w in v.waiting_for:
            yield f"waiting for {w}"
        for i in v.incidents:
            yield f"incident: {i}"
        yield f"data: {json.dumps(_plain(v.data), ensure_ascii=False)}"

    _print(view, args.json, lines)


def cmd_instances_retry(args) -> None:
    _print(engine.retry_incident(args.ctx(), args.id, actor=args.user), args.json, _step_lines)


def cmd_tasks_list(args) -> None:
    tasks = engine.list_tasks(
        args.ctx(), role=args.role, area_codes=[args.area] if args.area else None, limit=args.limit
    )
    _print(
        tasks,
        args.json,
        lambda ts: (
            [
                f"{t.id}\t{t.bpmn_id}\t{t.role or '-'}\t{t.area_code}\t{t.business_key}\t"
                f"{t.due_at.isoformat() if t.due_at else '-'}"
                for t in ts
            ]
            or ["no open task"]
        ),
    )


def cmd_tasks_complete(args) -> None:
    """A step with a form goes through its form and its checks, as on the page; a step whose form the
    product does not define (a process of the engine alone) takes the JSON as given."""
    ctx, data = args.ctx(), _json_object(args.data)
    if engine.get_task(ctx, args.id).form_key in FORMS:
        result = submit_task(ctx, args.id, data, user=args.user).step
    else:
        result = engine.complete_task(ctx, args.id, data, user=args.user)
    _print(result, args.json, _step_lines)


def cmd_tasks_claim(args) -> None:
    task = engine.claim_task(args.ctx(), args.id, args.user)
    print(f"task {task.id} claimed by {task.claimed_by}")


def cmd_tasks_unclaim(args) -> None:
    task = engine.unclaim_task(args.ctx(), args.id, args.user)
    print(f"task {task.id} is unclaimed")


def cmd_messages_send(args) -> int:
    delivery = engine.deliver_message(
        args.ctx(), args.name, args.key, _json_object(args.payload), message_id=args.id, actor=args.user
    )
    if args.json:
        _print(delivery, True, None)
    elif delivery.duplicate:
        print(f"message {delivery.message_id} was delivered before; nothing changed")
    elif delivery.delivered_to:
        print(f"delivered to instance(s) {', '.join(map(str, delivery.delivered_to))}")
    if not delivery.delivered_to:
        print(f"error: no instance waits for message {args.name!r} with key {args.key!r}", file=sys.stderr)
        return 1
    return 0


def cmd_timers_fire(args) -> None:
    sweep = engine.fire_due_timers(args.ctx())
    _print(
        sweep,
        args.json,
        lambda s: [f"{s.due} due, {len(s.fired)} fired, {s.skipped} skipped"],
    )


def cmd_users_create(args) -> None:
    from workflows.accounts import create_user

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Mật khẩu: ")
    ctx = args.ctx()
    with ctx.db.write() as session:
        account = create_user(
            session,
            args.username,
            password,
            args.agency,
            ctx.now(),
            full_name=args.full_name,
            is_admin=args.admin,
        )
    print(f"user {account.username} created in agency {account.agency_code}")


def cmd_agencies_list(args) -> None:
    from workflows.org.routing import list_agencies

    with args.ctx().db.read() as session:
        agencies = [
            {"code": a.code, "name": a.name, "area_code": a.area_code, "supervisor_code": a.supervisor_code}
            for a in list_agencies(session)
        ]
    _print(agencies, args.json, lambda rows: [f"{a['code']}\t{a['name']}" for a in rows] or ["no agency"])


def cmd_demo_load(args) -> int:
    from sqlalchemy import func, select

    from workflows.accounts.models import User
    from workflows.demo import ADMIN, load_demo

    ctx = args.ctx()
    with ctx.db.read() as session:
        users = session.scalar(select(func.count()).select_from(User))
        demo_admin = session.scalar(select(User.id).where(User.username == ADMIN))
    if args.only_new and users:
        print(f"the demo is loaded only into a new database: this one has {users} users; skipped")
        return 0
    if users and demo_admin is None:
        print("error: this database has real users; the demo is loaded only into a new or demo database",
              file=sys.stderr)  # fmt: skip
        return 1
    summary = load_demo(ctx, beneficiaries=args.beneficiaries)
    if not summary.loaded:
        print(f"demo already loaded ({summary.beneficiaries} beneficiaries)")
    else:
        print(f"demo loaded in {summary.seconds:.0f} s: {summary.agencies} agencies, "
              f"{summary.users_created} users, {summary.beneficiaries_created} beneficiaries")  # fmt: skip
    return 0


def cmd_scheduler(args) -> None:
    from workflows.dashboard import start_years
    from workflows.jobs import start_worker, stop_worker
    from workflows.payouts import start_monthly_cycles
    from workflows.scheduler import run_blocking

    start_worker(args.ctx())  # every scheduler process runs background jobs too, lease or not
    try:
        run_blocking(
            args.ctx(), args.interval, start_monthly_cycles=start_monthly_cycles, start_years=start_years
        )
    finally:
        stop_worker(args.ctx())


def cmd_deadlines_sweep(args) -> None:
    from workflows.deadlines import sweep_deadlines

    sweep = sweep_deadlines(args.ctx())
    _print(sweep, args.json, lambda s: [s.summary() or "nothing due"])


def cmd_calendar_list(args) -> None:
    from workflows.deadlines import list_calendar_days

    with args.ctx().db.read() as session:
        days = list_calendar_days(session, args.year)
    _print(
        days,
        args.json,
        lambda ds: (
            [f"{d.day:%d/%m/%Y}\t{d.kind}\t{d.note}\t{d.created_by}" for d in ds]
            or ["no extra day in the calendar"]
        ),
    )


def cmd_calendar_add(args) -> None:
    from workflows.deadlines import add_calendar_day

    day = add_calendar_day(args.ctx(), date.fromisoformat(args.day), args.kind, args.note, args.user or "cli")
    print(f"{day.day:%d/%m/%Y} is now a {day.kind.replace('_', ' ')}")


def cmd_calendar_remove(args) -> None:
    from workflows.deadlines import remove_calendar_day

    remove_calendar_day(args.ctx(), date.fromisoformat(args.day), args.user or "cli")
    print(f"{date.fromisoformat(args.day):%d/%m/%Y} is back to the official calendar")


def cmd_simulate(args) -> int:
    from workflows.simulation import SimulationOptions, simulate

    options = SimulationOptions(
        beneficiaries=args.beneficiaries,
        districts=args.districts,
        months=args.months,
        failure_rate=args.failure_rate,
        seed=args.seed,
        start=date.fromisoformat(f"{args.start}-01"),
        structure=args.structure,
    )
    result = simulate(options, args.database, progress=None if args.json else print)
    if args.json:
        _print({"ok": result.ok, **asdict(result)}, True, None)
    else:
        for problem in result.problems:
            print(f"PROBLEM: {problem}")
        print("every invariant holds" if result.ok else "invariants broken: see PROBLEM lines above")
    return 0 if result.ok else 1


def cmd_serve(args) -> None:
    from workflows.bootstrap import bootstrap

    from .server import ServeOptions, serve

    bootstrap(config.database_url()).db.dispose()  # a stale schema: one clear line, before any worker forks
    serve(ServeOptions(host=args.host, port=args.port, workers=args.workers, threads=args.threads,
                       scheduler=not args.no_scheduler))  # fmt: skip


def _step_lines(result):
    yield f"instance {result.instance_id}: {result.status} (version {result.version})"
    for t in result.open_tasks:
        yield f"open task {t.id} {t.bpmn_id} ({t.role or '-'})"
    if result.incident:
        yield f"incident: {result.incident}"


# --- parser -------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ansinh", description="An Sinh workflow engine")
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(subparsers, name, handler, help_text, json_flag=False):
        p = subparsers.add_parser(name, help=help_text)
        p.set_defaults(handler=handler)
        p.add_argument("--json", action="store_true", help="print JSON" if json_flag else argparse.SUPPRESS)
        p.add_argument("--user", help="who is acting (recorded in the history)")
        return p

    db = sub.add_parser("db", help="database schema").add_subparsers(metavar="ACTION")
    command(db, "upgrade", cmd_db_upgrade, "bring the schema up to date")

    p = command(sub, "deploy", cmd_deploy, "deploy BPMN/DMN files or folders", json_flag=True)
    p.add_argument("paths", nargs="+")
    command(sub, "processes", cmd_processes, "list deployed processes", json_flag=True)

    inst = sub.add_parser("instances", help="process instances").add_subparsers(metavar="ACTION")
    p = command(inst, "start", cmd_instances_start, "start an instance", json_flag=True)
    p.add_argument("key")
    p.add_argument("--business-key", required=True)
    p.add_argument("--area", required=True)
    p.add_argument("--data", help="initial data as a JSON object")
    p = command(inst, "show", cmd_instances_show, "show an instance", json_flag=True)
    p.add_argument("id", type=int)
    p = command(inst, "retry", cmd_instances_retry, "retry an instance's failed task", json_flag=True)
    p.add_argument("id", type=int)
    cli_processes.register(inst, command, _print)

    tasks = sub.add_parser("tasks", help="user tasks").add_subparsers(metavar="ACTION")
    p = command(tasks, "list", cmd_tasks_list, "list open tasks", json_flag=True)
    p.add_argument("--role")
    p.add_argument("--area")
    p.add_argument("--limit", type=int, default=100)
    p = command(tasks, "complete", cmd_tasks_complete, "complete a task", json_flag=True)
    p.add_argument("id")
    p.add_argument("--data", help="form data as a JSON object")
    p = command(tasks, "claim", cmd_tasks_claim, "claim a task")
    p.add_argument("id")
    p = command(tasks, "unclaim", cmd_tasks_unclaim, "give a claimed task back")
    p.add_argument("id")

    msgs = sub.add_parser("messages", help="messages").add_subparsers(metavar="ACTION")
    p = command(msgs, "send", cmd_messages_send, "deliver a message", json_flag=True)
    p.add_argument("name")
    p.add_argument("--key", required=True, help="correlation key (the case's business key)")
    p.add_argument("--payload", help="payload as a JSON object")
    p.add_argument("--id", help="message id; delivering the same id twice has one effect")

    timers = sub.add_parser("timers", help="BPMN timers").add_subparsers(metavar="ACTION")
    command(timers, "fire", cmd_timers_fire, "fire every due timer now", json_flag=True)

    users = sub.add_parser("users", help="staff accounts").add_subparsers(metavar="ACTION")
    p = command(users, "create", cmd_users_create, "create a user (password read from standard input)")
    p.add_argument("username")
    p.add_argument("--agency", required=True, help="agency code, see `ansinh agencies list`")
    p.add_argument("--full-name")
    p.add_argument("--admin", action="store_true", help="may manage users")
    agencies = sub.add_parser("agencies", help="agencies").add_subparsers(metavar="ACTION")
    command(agencies, "list", cmd_agencies_list, "list agencies", json_flag=True)

    deadlines = sub.add_parser("deadlines", help="deadline reminders and escalations").add_subparsers(
        metavar="ACTION"
    )
    command(deadlines, "sweep", cmd_deadlines_sweep, "raise every reminder and escalation due now", True)

    cal = sub.add_parser("calendar", help="extra days off and swapped working days").add_subparsers(
        metavar="ACTION"
    )
    p = command(cal, "list", cmd_calendar_list, "list the extra days", json_flag=True)
    p.add_argument("--year", type=int)
    p = command(cal, "add", cmd_calendar_add, "add an extra day off or a swapped working day")
    p.add_argument("day", help="YYYY-MM-DD")
    p.add_argument("kind", choices=["day_off", "working_day"])
    p.add_argument("--note", required=True, help="why (e.g. the decision that announced it)")
    p = command(cal, "remove", cmd_calendar_remove, "remove an extra day")
    p.add_argument("day", help="YYYY-MM-DD")

    demo = sub.add_parser("demo", help="the Kon Tum 2024 demonstration data").add_subparsers(metavar="ACTION")
    p = command(demo, "load", cmd_demo_load, "load the demo once (areas, agencies, users, ~300 cases)")
    p.add_argument("--beneficiaries", type=int, default=300)
    p.add_argument(
        "--only-new", action="store_true", help="skip (with a line, exit 0) unless the database is new"
    )

    p = command(sub, "scheduler", cmd_scheduler, "run the scheduler alone")
    p.set_defaults(log_level="INFO")  # a service: it logs what it does
    p.add_argument("--interval", type=int, default=30, help="seconds between sweeps")
    cli_payouts.register(sub, command, _print)
    cli_roster.register(sub, command, _print)
    cli_tokens.register(sub, command, _print)
    cli_enrolments.register(sub, command, _print)
    cli_jobs.register(sub, command, _print)
    cli_backup.register(sub, command, _print)
    p = command(sub, "simulate", cmd_simulate, "run a demo province's payouts and check them", True)
    p.add_argument("--beneficiaries", type=int, default=100)
    p.add_argument("--districts", type=int, default=2, help="districts (2024), or communes (2025)")
    p.add_argument("--months", type=int, default=3)
    p.add_argument("--failure-rate", type=float, default=0.03, help="share of failed transfers (0 to 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", default="2024-06", help="first payout month, YYYY-MM")
    p.add_argument("--structure", choices=["2024", "2025"], default="2024")
    p.add_argument("--database", help="an empty database to run in (default: a temporary SQLite file)")
    p = command(sub, "serve", cmd_serve, "serve the web app (with the scheduler in-process)")
    p.set_defaults(log_level="INFO")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--no-scheduler", action="store_true", help="another process runs `ansinh scheduler`")
    p.add_argument("--workers", type=int, default=int(os.environ.get("ANSINH_WORKERS", 2)),
                   help="worker processes (ANSINH_WORKERS, default 2)")  # fmt: skip
    p.add_argument("--threads", type=int, default=int(os.environ.get("ANSINH_THREADS", 2)),
                   help="threads per worker (ANSINH_THREADS, default 2)")  # fmt: skip
    return parser


if __name__ == "__main__":
    sys.exit(main())
