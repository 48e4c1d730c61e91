"""A dashboard page's figures as tables in the page's language: each one the numbers shown beside its
chart, the chart's data, and the rows of its xlsx download — the same rows, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

from engine.errors import NotFound
from workflows.dashboard import DashboardPage, dashboard_page
from workflows.dashboard.cases import AGE_BANDS, CASE_STEPS
from workflows.dashboard.payouts import OUTCOMES
from workflows.dashboard.xlsx import table_xlsx
from workflows.deadlines import VIETNAM
from workflows.file_jobs import builder
from workflows.scope import scope_for

from .domain_text import say


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    links: list[str | None] = field(default_factory=list)  # per row: the area to drill into
    marks: list[str] = field(default_factory=list)  # per row: a CSS class ("below" = under target)
    chart: dict[str, Any] | None = None
    shown: int = 500  # rows on the page; the xlsx has them all
    key: str = ""  # its builder's name (``BUILDERS``): the page's anchors and the xlsx link


Builder = Callable[[DashboardPage], Table]
BUILDERS: dict[str, Builder] = {}  # key → the function that builds that table, in the page's order


def _builds(build: Builder) -> Builder:
    """Registers a table's builder under its name, which is the table's key."""
    BUILDERS[build.__name__] = build
    return build


def outcome_names() -> dict[str, str]:
    return {
        "account": _("Đã chi qua tài khoản"),
        "cash": _("Đã chi tiền mặt"),
        "fallback": _("Chuyển khoản lỗi → tiền mặt"),
        "not_collected": _("Không nhận tiền"),
        "returned": _("Hoàn trả (thôi hưởng)"),
        "pending": _("Chưa có kết quả"),
    }


def tables(page: DashboardPage) -> list[Table]:
    return [replace(build(page), key=key) for key, build in BUILDERS.items()]


def table(page: DashboardPage, key: str) -> Table | None:
    """Only the table asked for (an xlsx job's), or None for an unknown key."""
    build = BUILDERS.get(key)
    return None if build is None else replace(build(page), key=key)


def table_file(page: DashboardPage, key: str) -> bytes:
    """A table's xlsx: all its rows, under the place and day it is of."""
    found = table(page, key)
    if found is None:
        raise NotFound(f"no dashboard table {key!r}")
    place = page.frame.area.name if page.frame.area else _("Toàn bộ địa bàn")
    subtitle = _("%(place)s — số liệu ngày %(day)s", place=place, day=page.today.strftime("%d/%m/%Y"))
    return table_xlsx(found.title, subtitle, found.columns, found.rows)


@builder("dashboard_table")
def _table_job(ctx, p: dict) -> bytes:
    """A table's xlsx as a background job (``workflows.file_jobs``): the asker's scope, their language."""
    with _language(p["locale"]):
        with ctx.db.read() as session:
            scope = scope_for(session, p["agency"], ctx.now().astimezone(VIETNAM).date())
        return table_file(dashboard_page(ctx, scope, p["admin"], p["area"]), p["key"])


@contextmanager
def _language(locale: str):
    """The catalog of ``locale`` in a job's thread: the web app's where there is one (a web worker),
    else a bare app with the same catalogs (the scheduler, ``ansinh jobs work``)."""
    app = current_app._get_current_object() if has_app_context() else _catalogs()
    with app.app_context(), force_locale(locale):
        yield


@cache
def _catalogs() -> Flask:
    from . import i18n

    app = Flask("web")
    i18n.init_app(app)
    return app


@_builds
def funnel(page: DashboardPage) -> Table:
    bands = [_("Dưới %(n)s ngày", n=AGE_BANDS[0])]
    bands += [_("%(a)s–%(b)s ngày", a=a, b=b) for a, b in zip(AGE_BANDS, AGE_BANDS[1:], strict=False)]
    bands += [_("Trên %(n)s ngày", n=AGE_BANDS[-1])]
    steps = [s for s in page.funnel.steps if s.count or s.step in CASE_STEPS]
    rows = [[say(s.name), s.count, *(s.bands if s.step in _open(page) else [None] * len(bands)),
             s.oldest_days] for s in steps]  # fmt: skip
    waiting = [s for s in steps if s.step in _open(page)]
    chart = {
        "type": "bar", "stacked": True, "labels": [say(s.name) for s in waiting],
        "datasets": [{"label": band, "data": [s.bands[i] for s in waiting]} for i, band in enumerate(bands)],
    }  # fmt: skip
    columns = [_("Bước"), _("Số người"), *bands, _("Chờ lâu nhất (ngày)")]
    return Table(_("Hồ sơ đang ở từng bước"), columns, rows, chart=chart)


def _open(page: DashboardPage) -> set[str]:
    return {s.step for s in page.funnel.steps if s.step not in ("active_cashless", "cash")}


@_builds
def funnel_areas(page: DashboardPage) -> Table:
    steps = [s for s in page.funnel.steps if s.count]
    rows, links = [], []
    for row in page.frame.rows:
        counts = page.funnel.by_row.get(row.code, {})
        rows.append([row.name, *(counts.get(s.step, 0) for s in steps)])
        links.append(_link(page, row.code))
    columns = [_("Địa bàn"), *(say(s.name) for s in steps)]
    return Table(_("Hồ sơ theo địa bàn và bước"), columns, rows, links)


@_builds
def coverage(page: DashboardPage) -> Table:
    rows, links, marks = [], [], []
    for r in page.coverage:
        target = r.target
        rows.append([r.name, r.active, r.by_account, r.in_cash, r.share_pct,
                     target.share_pct if target else None,
                     target.due_on.strftime("%d/%m/%Y") if target else None])  # fmt: skip
        links.append(_link(page, r.code))
        marks.append("below" if r.below_target else "")
    chart = {
        "type": "bar", "percent": True, "labels": [r.name for r in page.coverage],
        "datasets": [
            {"label": _("Tỷ lệ chi qua tài khoản (%)"), "data": [r.share_pct for r in page.coverage],
             "colors": ["#b3261e" if r.below_target else "#1d6b36" for r in page.coverage]},
            {"label": _("Chỉ tiêu (%)"), "type": "line",
             "data": [r.target.share_pct if r.target else None for r in page.coverage]},
        ],
    }  # fmt: skip
    columns = [_("Địa bàn"), _("Đang hưởng"), _("Qua tài khoản"), _("Tiền mặt"), _("Tỷ lệ qua tài khoản (%)"),
               _("Chỉ tiêu (%)"), _("Hạn chỉ tiêu")]  # fmt: skip
    return Table(_("Chi trả không dùng tiền mặt so với chỉ tiêu"), columns, rows, links, marks,
                 chart)  # fmt: skip


@_builds
def work(page: DashboardPage) -> Table:
    rows = [[w.agency, say(w.step_name), w.open, w.overdue] for w in page.work.rows]
    top = page.work.rows[:12]
    chart = {
        "type": "bar", "stacked": True, "horizontal": True,
        "labels": [f"{w.agency} — {say(w.step_name)}" for w in top],
        "datasets": [{"label": _("Còn hạn"), "data": [w.open - w.overdue for w in top]},
                     {"label": _("Quá hạn"), "data": [w.overdue for w in top]}],
    }  # fmt: skip
    columns = [_("Cơ quan"), _("Bước"), _("Việc đang mở"), _("Quá hạn")]
    title = _("Việc đang mở và quá hạn theo cơ quan, bước")
    return Table(title, columns, rows, chart=chart, shown=30)


@_builds
def escalations(page: DashboardPage) -> Table:
    rows = [[e.agency, say(e.step_name), e.count] for e in page.work.escalations]
    columns = [_("Cơ quan nhận báo cáo vượt cấp"), _("Bước"), _("Số lần")]
    return Table(_("Báo cáo vượt cấp trong tháng"), columns, rows, shown=30)


@_builds
def payouts(page: DashboardPage) -> Table:
    names = outcome_names()
    rows = []
    for m in page.payouts.months:
        cells: list[Any] = [m.month.strftime("%m/%Y")]
        for o in OUTCOMES:
            cells += [m.outcomes[o].lines, m.outcomes[o].amount]
        rows.append([*cells, m.total.lines, m.total.amount])
    columns = [_("Tháng")]
    for o in OUTCOMES:
        columns += [_("%(what)s (lượt)", what=names[o]), _("%(what)s (đồng)", what=names[o])]
    columns += [_("Tổng (lượt)"), _("Tổng (đồng)")]
    chart = {
        "type": "bar", "stacked": True, "labels": [m.month.strftime("%m/%Y") for m in page.payouts.months],
        "datasets": [{"label": names[o], "data": [m.outcomes[o].lines for m in page.payouts.months]}
                     for o in OUTCOMES],
    }  # fmt: skip
    return Table(_("Chi trả theo tháng (số lượt)"), columns, rows, chart=chart)


@_builds
def progress(page: DashboardPage) -> Table:
    rows, links = [], []
    for p in page.payouts.progress:
        rows.append([p.name, p.lines, p.paid, p.share_pct, p.amount, p.paid_amount])
        links.append(_link(page, p.code))
    columns = [_("Địa bàn"), _("Số lượt"), _("Đã chi"), _("Đã chi (%)"), _("Số tiền (đồng)"),
               _("Đã chi (đồng)")]  # fmt: skip
    title = _("Tiến độ chi trả tháng %(month)s", month=page.this_month.strftime("%m/%Y"))
    return Table(title, columns, rows, links)


@_builds
def trends(page: DashboardPage) -> Table:
    months = page.payouts.months
    rows = [
        [m.month.strftime("%m/%Y"), m.share(m.by_account), m.share(m.paid), m.paid.amount] for m in months
    ]
    chart = {
        "type": "line", "percent": True, "labels": [r[0] for r in rows],
        "datasets": [{"label": _("Qua tài khoản (%)"), "data": [r[1] for r in rows]},
                     {"label": _("Đã chi (%)"), "data": [r[2] for r in rows]}],
    }  # fmt: skip
    columns = [_("Tháng"), _("Qua tài khoản (%)"), _("Đã chi (%)"), _("Số tiền đã chi (đồng)")]
    return Table(_("Xu hướng qua các tháng"), columns, rows, chart=chart)


def _link(page: DashboardPage, code: str) -> str | None:
    """Drill into a row unless it is the area shown (a commune's page has itself as its only row)."""
    return None if page.frame.area is not None and code == page.frame.area.code else code


def figure(value: Any) -> str:
    """A cell as shown: numbers with Vietnamese grouping (1.234.567), shares with one decimal, — for none."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)
