"""User management, for admins: add people, change roles, deactivate accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.accounts.preferences import change_access
from app.accounts.users import create_user
from app.claims.errors import StateConflict, ValidationError
from app.clock import utcnow
from app.models import User
from app.unit_of_work import get_session
from app.web.auth import actor, admin_required
from app.web.blueprints import web_blueprint
from app.web.forms.settings import AccessForm, NewUserForm
from app.web.formtools import show_errors

bp = web_blueprint("admin", __name__, url_prefix="/admin/users")


def render_users(
    status: int = 200, form: NewUserForm | None = None, problem: str | None = None
) -> tuple[str, int]:
    users = get_session().scalars(select(User).order_by(User.active.desc(), User.email)).all()
    access = {u.id: AccessForm(formdata=None, role=u.role, active=u.active) for u in users}
    return (
        render_template(
            "admin/users.html",
            users=users,
            access=access,
            form=form or NewUserForm(formdata=None),
            refusal=problem,
        ),
        status,
    )


@bp.get("")
@admin_required
def index() -> tuple[str, int]:
    """Everyone with an account."""
    return render_users()


@bp.post("")
@admin_required
def create() -> Response | tuple[str, int]:
    """Add a person with an initial password they should change."""
    form = NewUserForm()
    try:
        user = create_user(
            get_session(),
            utcnow(),
            form.email.data or "",
            form.role.data or "",
            name=form.name.data or "",
            password=form.password.data or "",
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render_users(422, form=form)
    flash(f"{user.email} can now sign in.", "success")
    return redirect(url_for("admin.index"))


@bp.post("/<id:user_id>")
@admin_required
def update(user_id: int) -> Response | tuple[str, int]:
    """Change a user's role or active flag; deactivation ends their sessions and revokes their
    API tokens and feed key."""
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    form = AccessForm()
    try:
        change_access(
            get_session(), actor(), user, form.role.data or "", bool(form.active.data), utcnow()
        )
    except (ValidationError, StateConflict) as exc:
        return render_users(409, problem=f"{user.email}: {exc.detail}")
    flash(f"{user.email} updated.", "success")
    return redirect(url_for("admin.index"))
