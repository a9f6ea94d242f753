"""Claim list, claim page, new claim and edit claim."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.claims import ValidationError, VersionConflict, create_claim, edit_claim
from app.claims.checks import CONTROL
from app.claims.listing import MAX_ID, ListFilters, list_claims, source_name
from app.claims.stats import status_counts
from app.clock import utcnow
from app.db import autocommit_connection, get_session
from app.models import Claim, ClaimStatus
from app.web.auth import actor, reviewer_required
from app.web.blueprints import web_blueprint
from app.web.claim_page import load_claim, render_claim_page
from app.web.claim_rows import rows_html
from app.web.forms.claims import EditClaimForm, NewClaimForm, text_values
from app.web.formtools import show_errors
from app.web.signed_in import read_page, status_counts_read
from app.web.templating import link
from app.web.timefmt import viewer_zone

bp = web_blueprint("claims", __name__, url_prefix="/claims")
PAGE_SIZE = 50


def list_filters() -> ListFilters:
    """The filters in the query string; unknown values are ignored rather than refused."""
    args = request.args
    statuses = frozenset(s for s in args.getlist("status") if s in {c.value for c in ClaimStatus})
    source_id = args.get("source", type=int)
    if source_id is not None and not 0 <= source_id <= MAX_ID:
        source_id = 0  # no source has it: an empty list (as for any unknown source), not a 500
    assignee_id = current_user.id if args.get("mine") else None
    # No tag holds a control character, and PostgreSQL refuses a NUL in a query (a 500).
    tag = CONTROL.sub("", args.get("tag") or "").strip().lower() or None
    q = (args.get("q") or "").strip()[:200] or None
    return ListFilters(statuses, tag, source_id, assignee_id, q)


@bp.get("")
@read_page(with_status_counts=True)
@login_required
def index() -> str:
    """Every claim, overdue first (longest overdue first), with counts per status."""
    filters = list_filters()
    connection = autocommit_connection()
    page = list_claims(connection, filters, request.args.get("cursor"), PAGE_SIZE)
    source = source_name(connection, filters.source_id) if filters.source_id else None
    # Links are built once, not per row: url_for is the costliest call of a 50-row page.
    here = link("claims.index")
    counts = status_counts_read()
    if counts is None:
        counts = status_counts(connection)
    return render_template(
        "claims/index.html",
        page=page,
        rows=rows_html(page.claims, utcnow(), viewer_zone(), f"{here}/", f"{here}?tag="),
        filters=filters,
        source=source,
        counts=counts,
    )


@bp.route("/new", methods=["GET", "POST"])
@reviewer_required
def new() -> str | Response | tuple[str, int]:
    """The new-claim form; on errors the form comes back with every value as typed."""
    form = NewClaimForm()
    if form.validate_on_submit():
        try:
            claim = create_claim(get_session(), actor(), utcnow(), text_values(form, form.FIELDS))
        except ValidationError as exc:
            get_session().rollback()
            show_errors(form, exc)
            return render_template("claims/form.html", form=form, claim=None), 422
        get_session().commit()
        flash("Claim created.", "success")
        return redirect(url_for("claims.show", claim_id=claim.id))
    return render_template("claims/form.html", form=form, claim=None)


@bp.get("/<int:claim_id>")
@login_required
def show(claim_id: int) -> tuple[str, int]:
    """The claim, its evidence, its timeline, and the actions the viewer may take."""
    return render_claim_page(claim_id)


def wire_instant(value: datetime | None) -> str:
    """A stored instant as it round-trips through a text field: a bare date when at 00:00Z."""
    if value is None:
        return ""
    value = value.astimezone(UTC)
    if value.time() == datetime.min.time():
        return value.date().isoformat()
    return value.isoformat().replace("+00:00", "Z")


def fill_edit_form(form: EditClaimForm, claim: Claim) -> None:
    form.statement.data = claim.statement
    form.subject.data = claim.subject
    form.claimant.data = claim.claimant
    form.source.data = claim.source.name if claim.source else ""
    form.source_url.data = (claim.source.url if claim.source else "") or ""
    form.first_seen_url.data = claim.first_seen_url or ""
    form.claimed_on.data = claim.claimed_on.isoformat() if claim.claimed_on else ""
    form.window_start.data = wire_instant(claim.window_start)
    form.tags.data = ", ".join(claim.tags)
    form.details.data = claim.details
    form.version.data = str(claim.version)


@bp.route("/<int:claim_id>/edit", methods=["GET", "POST"])
@reviewer_required
def edit(claim_id: int) -> str | Response | tuple[str, int]:
    """Edit a claim; a change made by someone else meanwhile is shown, not overwritten."""
    claim = load_claim(claim_id)
    form = EditClaimForm()
    if not form.is_submitted():
        fill_edit_form(form, claim)
        return render_template("claims/form.html", form=form, claim=claim)
    session = get_session()
    try:
        version = int(form.version.data or 0)
        edit_claim(session, actor(), utcnow(), claim_id, version, text_values(form, form.FIELDS))
    except ValidationError as exc:
        session.rollback()
        show_errors(form, exc)
        return render_template("claims/form.html", form=form, claim=claim), 422
    except VersionConflict:
        session.rollback()
        current = load_claim(claim_id)
        # Saving again applies the entered values over the current version, knowingly.
        form.version.data = str(current.version)
        return (
            render_template("claims/form.html", form=form, claim=current, conflict=current),
            409,
        )
    session.commit()
    flash("Changes saved.", "success")
    return redirect(url_for("claims.show", claim_id=claim_id))
