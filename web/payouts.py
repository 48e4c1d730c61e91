"""The monthly payout's pages: a cycle (totals, lines, files) for every role with a step in it, and the
provider's cash results entered on screen. A cycle is shown to the agencies playing one of the
payout's roles for its area, and read-only to the province department and administrators; to anyone
else it does not exist (404)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows import payouts
from workflows.downloads import fetch_file
from workflows.payouts.export_job import FORMATS as EXPORT_FORMATS
from workflows.payouts.imports import ImportRefused
from workflows.payouts.screen import (
    CASH_PHASES,
    PAYOUT_ROLES,
    WATCH_ROLES,
    LineFilter,
    cash_payable,
    cash_preview,
    cycle_area,
    cycles_for,
    lines_page,
    open_steps,
    record_pii,
    roles_for,
    step_agencies,
)

from .security import ctx, scope

bp = Blueprint("payouts", __name__, url_prefix="/payouts")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
CASH_RESULTS = ("paid", "not_collected")


@bp.before_request
@login_required
def logged_in():
    return None


def cycle_or_404(cycle_id: int | None, role: str | None = None, key: str | None = None):
    """The cycle and the payout roles the user plays for it; 404 if none (or not ``role``)."""
    cycle = payouts.get_cycle(ctx(), cycle_id, key=key)  # NotFound → 404
    roles = roles_for(scope(), cycle.area_code, current_user.is_admin)
    if not roles or (role is not None and role not in roles):
        abort(404)
    return cycle, roles


@bp.get("/")
def index():
    """The cycles of the user's areas, newest month first: the way back to a cycle once one's step is done."""
    cycles = cycles_for(ctx(), scope(), current_user.is_admin)
    if cycles is None:
        abort(404)
    return render_template("payout_cycles.html", cycles=cycles, labels=payout_labels())


@bp.app_context_processor
def payout_roles():
    """For the menu: its link to the cycles shows to those who play or watch a payout role."""
    return {"payout_roles": (*PAYOUT_ROLES, *WATCH_ROLES)}


def cycle_id_or_404(cycle_id: int, role: str) -> int:
    """``cycle_or_404`` without the cycle's figures, for requests that need only the permission."""
    if role not in roles_for(scope(), cycle_area(ctx(), cycle_id), current_user.is_admin):
        abort(404)
    return cycle_id


@bp.get("/<int:cycle_id>")
def cycle(cycle_id: int):
    cycle, roles = cycle_or_404(cycle_id)
    filters = LineFilter(
        commune=request.args.get("commune") or None,
        method=request.args.get("method") or None,
        status=request.args.get("status") or None,
        search=request.args.get("q") or None,
        page=request.args.get("page", 1, type=int),
    )
    page = lines_page(ctx(), cycle, roles, current_user.username, filters)
    cash_open = "provider" in roles and cycle.status in CASH_PHASES
    cash_lines = {line.id for line in page.rows if cash_payable(line)} if cash_open else set()
    return render_template(
        "payout_cycle.html", cycle=cycle, roles=roles, page=page, filters=filters, labels=payout_labels(),
        steps=open_steps(ctx(), cycle), agencies=step_agencies(ctx(), cycle), my_scope=scope(),
        cash_lines=cash_lines,
    )  # fmt: skip


@bp.get("/key/<key>")
def by_key(key: str):
    """Where the inbox links a payout task's cycle (it knows the key, not the id)."""
    cycle, _roles = cycle_or_404(None, key=key)
    return redirect(url_for("payouts.cycle", cycle_id=cycle.id))


@bp.get("/<int:cycle_id>/list.<fmt>")
def payment_list(cycle_id: int, fmt: str):
    """The payment list carries CCCD and account numbers in full: the provider's, and recorded."""
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    method = request.args.get("method") if request.args.get("method") in ("account", "cash") else None
    name = f"danh-sach-chi-tra-{_slug(cycle)}{'-' + method if method else ''}.{fmt}"
    return _export(cycle, "list", fmt, name, method=method)


@bp.get("/<int:cycle_id>/report.xlsx")
def report(cycle_id: int):
    cycle, roles = cycle_or_404(cycle_id)
    issuer = request.args.get("issuer")
    if issuer not in ("district_pc", "provider") or issuer not in roles:
        issuer = "provider" if "provider" in roles and "district_pc" not in roles else "district_pc"
    return _export(cycle, "report", "xlsx", f"bao-cao-chi-tra-{_slug(cycle)}.xlsx", issuer=issuer)


@bp.get("/<int:cycle_id>/returned.<fmt>")
def returned(cycle_id: int, fmt: str):
    cycle, _roles = cycle_or_404(cycle_id)
    return _export(cycle, "returned", fmt, f"hoan-tra-kho-bac-{_slug(cycle)}.{fmt}")


def _export(cycle, what: str, fmt: str, name: str, method: str | None = None, issuer: str | None = None):
    """Queue the file's job and show its page, which polls the job until the file is there."""
    if fmt not in EXPORT_FORMATS[what]:
        abort(404)
    job = payouts.queue_export(ctx(), cycle.id, what, fmt, name, current_user.username, method, issuer)
    return redirect(url_for("payouts.export", cycle_id=cycle.id, job_id=job.id))


@bp.get("/<int:cycle_id>/exports/<int:job_id>")
def export(cycle_id: int, job_id: int):
    cycle, _roles = cycle_or_404(cycle_id)
    return render_template("payout_export.html", cycle=cycle, job=_export_job(cycle.id, job_id))


@bp.get("/<int:cycle_id>/exports/<int:job_id>/status")
def export_status(cycle_id: int, job_id: int):
    """The partial htmx polls every second until the file is built."""
    cycle, _roles = cycle_or_404(cycle_id)
    return render_template("_payout_export_status.html", cycle=cycle, job=_export_job(cycle.id, job_id))


@bp.get("/<int:cycle_id>/exports/<int:job_id>/file")
def export_file(cycle_id: int, job_id: int):
    cycle, _roles = cycle_or_404(cycle_id)
    job = _export_job(cycle.id, job_id)
    with ctx().db.read() as db:
        download = fetch_file(db, (job.result or {}).get("token", ""), current_user.username)
        if download is None:
            abort(404)
        content, name = download.content, download.filename
    if name.startswith("danh-sach-chi-tra-"):  # CCCD and account numbers in full leave the system
        record_pii(
            ctx(),
            cycle,
            current_user.username,
            ["cccd", "account"],
            file=f"payment_list.{name.rsplit('.', 1)[1]}",
        )
    return _download(content, name)


def _export_job(cycle_id: int, job_id: int):
    job = payouts.export_job(ctx(), job_id, cycle_id, current_user.username)
    if job is None:
        abort(404)
    return job


@bp.post("/<int:cycle_id>/cash")
def cash(cycle_id: int):
    """Cash results chosen on the cycle page, line by line: first what they add up to, to confirm; then
    recorded, and the per-row report follows."""
    cycle, _roles = cycle_or_404(cycle_id, role="provider")
    results = [
        (int(name.removeprefix("result-")), value)
        for name, value in request.form.items()
        if name.startswith("result-") and name.removeprefix("result-").isdigit() and value in CASH_RESULTS
    ]
    back = request.form.get("next") or ""
    if not back.startswith(f"/payouts/{cycle.id}"):  # back to the page it came from, never elsewhere
        back = url_for("payouts.cycle", cycle_id=cycle.id)
    if not results:
        flash(_("Chưa chọn kết quả cho dòng nào."), "error")
        return redirect(back)
    if request.form.get("confirmed") != "yes":  # money marked paid cannot be taken back: say how much first
        return render_template(
            "payout_cash_confirm.html", cycle=cycle, results=results, back=back,
            totals=cash_preview(ctx(), cycle.id, results),
        )  # fmt: skip
    try:
        done = payouts.record_cash(ctx(), cycle.id, results, actor=current_user.username)
    except ImportRefused as exc:
        flash(str(exc), "error")
        return redirect(back)
    flash(import_summary(done))
    return redirect(url_for("payout_imports.show", cycle_id=cycle.id, import_id=done.import_id))


def import_summary(report) -> str:
    return _(
        "%(total)s dòng: %(applied)s dòng đã ghi nhận, %(duplicates)s dòng đã có kết quả từ trước, "
        "%(skipped)s dòng chưa có kết quả (bỏ qua), %(refused)s dòng bị từ chối.",
        total=report.rows_total, applied=report.applied, duplicates=report.duplicates, skipped=report.skipped,
        refused=report.refused,
    )  # fmt: skip


def _slug(cycle) -> str:
    return cycle.business_key.lower().replace(":", "-")


def _download(content: bytes, name: str) -> Response:
    mimetype = XLSX if name.endswith(".xlsx") else CSV
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, mimetype=mimetype, headers=headers)


def payout_labels() -> dict[str, dict[str, str]]:
    """The payout's codes in the page's language (the files keep their Vietnamese)."""
    return {
        "cycle": {
            "draft": _("Đang lập danh sách, chờ duyệt"),
            "approved": _("Đã duyệt, chờ Kho bạc chuyển kinh phí"),
            "funded": _("Đã nhận kinh phí, đang chi trả"),
            "fallback": _("Đang chi tiền mặt thay chuyển khoản lỗi"),
            "paid": _("Đã chi xong, chờ đối chiếu"),
            "reconciled": _("Đã quyết toán, chờ báo cáo"),
            "closed": _("Đã đóng kỳ"),
        },
        "method": {
            "account": _("Chuyển khoản"),
            "cash_pay_point": _("Tiền mặt tại điểm chi trả"),
            "cash_home": _("Tiền mặt tại nhà"),
        },
        "line": {
            "pending": _("Chờ chi trả"),
            "paid": _("Đã chi qua tài khoản"),
            "failed": _("Chuyển khoản thất bại"),
            "cash_pending": _("Chờ chi tiền mặt (chuyển khoản thất bại)"),
            "cash_paid": _("Đã chi tiền mặt"),
            "not_collected": _("Không nhận tiền"),
            "held": _("Tạm giữ (thôi hưởng)"),
            "returned": _("Hoàn trả Kho bạc"),
        },
        "recipient": {
            "beneficiary": _("Người hưởng"),
            "guardian": _("Người giám hộ"),
            "authorised": _("Người được ủy quyền"),
        },
        "entitlement": {"monthly": _("Trợ cấp hằng tháng"), "arrears": _("Truy lĩnh")},
        "outcome": {
            "applied": _("Đã ghi nhận"),
            "duplicate": _("Đã có từ trước"),
            "refused": _("Từ chối"),
            "skipped": _("Bỏ qua"),
        },  # fmt: skip
        "kind": {"account": _("Kết quả chuyển khoản"), "cash": _("Kết quả chi tiền mặt")},
        "role": {
            "district_labour": _("Cơ quan lập danh sách chi trả"),
            "treasury": _("Kho bạc Nhà nước"),
            "provider": _("Tổ chức chi trả"),
            "district_pc": _("Ủy ban nhân dân"),
        },
    }
