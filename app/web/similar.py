"""Possible duplicates: the claims that look like a claim, shown after it is entered."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from app.claims.similar import SimilarClaim, similar_claims
from app.models import Claim
from app.unit_of_work import get_session
from app.web.blueprints import web_blueprint
from app.web.claim_page import load_claim

bp = web_blueprint("similar", __name__, url_prefix="/claims/<id:claim_id>")


def similar_to(claim: Claim) -> list[SimilarClaim]:
    """Existing claims whose watch terms occur in `claim`, best first."""
    return similar_claims(
        get_session().connection(),
        claim.statement,
        claim.subject,
        claim.watch_terms,
        exclude=claim.id,
    )


@bp.get("/similar")
@login_required
def index(claim_id: int) -> str:
    """The claims that look like this one (the page a new claim leads to when there are any)."""
    claim = load_claim(claim_id)
    return render_template("claims/similar.html", claim=claim, similar=similar_to(claim))
