"""Claim list, claim page, new claim and edit claim."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from app.claims import ValidationError, VersionConflict, create_claim, edit_claim
from app.claims.reads import ClaimSummary, claim_page
from app.claims.stats import status_counts
from app.clock import utcnow
from app.models import Claim, Source
from app.unit_of_work import get_session, read_connection
from app.web.auth import actor, reviewer_required
from app.web.blueprints import web_blueprint
from app.web.claim_list import SORT_CHOICES, list_lines, read_list_args
from app.web.claim_page import load_claim, render_claim_page
from app.web.forms.claims import EditClaimForm, NewClaimForm, text_values
from app.web.formtools import show_errors
from app.web.similar import similar_to
from app.web.timefmt import form_instant

bp = web_blueprint("claims", __name__, url_prefix="/claims")


@bp.get("")
@login_required
def index() -> str:
    """Claims most overdue first (or closing soonest, or newest), filtered, with counts per
    status; the status tabs keep the other filters and the order."""
    view = read_list_args()
    connection = read_connection()
    page = claim_page(connection, view.query, ClaimSummary)
    source = get_session().get(Source, view.query.source) if view.query.source else None
    return render_template(
        "claims/index.html",
        page=page,
        lines=list_lines(page.rows),
        next_cursor=page.next.encode() if page.next else None,
        filters=view.query,
        view=view,
        sorts=SORT_CHOICES,
        source=source,
        counts=status_counts(connection),
    )


@bp.route("/new", methods=["GET", "POST"])
@reviewer_required
def new() -> str | Response | tuple[str, int]:
    """The new-claim form; on errors the form comes back with every value as typed."""
    form = NewClaimForm()
    if form.validate_on_submit():
        try:
            event = create_claim(get_session(), actor(), utcnow(), text_values(form, form.FIELDS))
        except ValidationError as exc:
            show_errors(form, exc)
            return render_template("claims/form.html", form=form, claim=None), 422
        if similar_to(event.claim):
            flash("Claim created. The desk may already track it: see these claims.", "info")
            return redirect(url_for("similar.index", claim_id=event.claim_id))
        flash("Claim created.", "success")
        return redirect(url_for("claims.show", claim_id=event.claim_id))
    return render_template("claims/form.html", form=form, claim=None)


@bp.get("/<id:claim_id>")
@login_required
def show(claim_id: int) -> tuple[str, int]:
    """The claim, its evidence, its timeline, and the actions the viewer may take."""
    return render_claim_page(claim_id)


def fill_edit_form(form: EditClaimForm, claim: Claim) -> None:
    form.statement.data = claim.statement
    form.subject.data = claim.subject
    form.claimant.data = claim.claimant
    form.source.data = claim.source.name if claim.source else ""
    form.source_url.data = (claim.source.url if claim.source else "") or ""
    form.first_seen_url.data = claim.first_seen_url or ""
    form.claimed_on.data = claim.claimed_on.isoformat() if claim.claimed_on else ""
    form.window_start.data = form_instant(claim.window_start)
    form.tags.data = ", ".join(claim.tags)
    form.watch_terms.data = ", ".join(claim.watch_terms)
    form.details.data = claim.details
    form.version.data = str(claim.version)


@bp.route("/<id:claim_id>/edit", methods=["GET", "POST"])
@reviewer_required
def edit(claim_id: int) -> str | Response | tuple[str, int]:
    """Edit a claim; a change made by someone else meanwhile is shown, not overwritten."""
    claim = load_claim(claim_id)
    form = EditClaimForm()
    if not form.is_submitted():
        fill_edit_form(form, claim)
        return render_template("claims/form.html", form=form, claim=claim)
    session = get_session()
    version = form.version.data or ""
    try:
        if not (version.isascii() and version.isdigit() and len(version) <= 9):
            raise VersionConflict("the form's version is not one this page wrote")
        edit_claim(
            session, actor(), utcnow(), claim_id, int(version), text_values(form, form.FIELDS)
        )
    except ValidationError as exc:
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
    flash("Changes saved.", "success")
    return redirect(url_for("claims.show", claim_id=claim_id))
