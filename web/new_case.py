"""A commune officer opens the case of a newly approved person (the district's decision, the category, the
person's details), checked as registration checks them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflows.case.service import open_new_case
from workflows.forms import FormInvalid, boolean_fields, describe

from .security import ctx, scope

bp = Blueprint("new_case", __name__)
FORM = "new_case"


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new_case():
    communes = scope().areas_by_role.get("commune", ())
    if not communes:
        abort(404)
    values, errors, status = {"has_cccd": True}, {}, 200
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        for name in boolean_fields(FORM):
            values[name] = request.form.get(name) in ("on", "true", "1", "yes")
        try:
            opened = open_new_case(ctx(), communes[0], values, current_user.username)
        except FormInvalid as exc:
            errors, status = exc.errors, 422
        else:
            step = "; ".join(f"{r.agency_name} ({r.task.name})" for r in opened.next_tasks)
            flash(_("Đã mở hồ sơ %(code)s; bước tiếp theo: %(step)s.", code=opened.code, step=step))
            return redirect(url_for("cases.case", code=opened.code))
    return render_template("new_case.html", fields=describe(FORM), values=values, errors=errors), status
