"""Who may change claims, and loading a claim locked for the change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.claims.errors import NotFound, PermissionDenied
from app.models import Claim, User
from app.models.users import AccountRules

MAX_ID = 2_147_483_647
# Whoever changes a claim: the ORM `User`, or a light copy of its columns (the API's token
# user, app.accounts.tokens.TokenUser). The domain reads only its id, role and state.
Actor = AccountRules


def require_writer(actor: Actor | None) -> Actor:
    """The actor, if it is an active reviewer or admin; otherwise PermissionDenied."""
    if actor is None or not actor.active:
        raise PermissionDenied("sign in as an active reviewer to change claims")
    if not actor.can_write:
        raise PermissionDenied(f"a {actor.role} cannot change claims; reviewers and admins can")
    return actor


def lock_claim(session: Session, claim_id: int) -> Claim:
    """The claim, re-read and row-locked (PostgreSQL) for the rest of the transaction."""
    claim = session.scalars(
        select(Claim)
        .where(Claim.id == claim_id)
        .with_for_update(of=Claim)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if claim is None:
        raise NotFound(f"there is no claim {claim_id}")
    return claim


def find_user(session: Session, ref: int | str) -> User:
    """A user by id or email (any case), or NotFound."""
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
        # Ids are 32-bit; a larger number names nobody (and would overflow the driver).
        user = session.get(User, int(ref)) if 0 < int(ref) <= MAX_ID else None
    elif "\x00" in ref:
        user = None  # no email holds a NUL, and PostgreSQL refuses one in a query (a 500)
    else:
        user = session.scalars(select(User).where(User.email == ref.strip().lower())).one_or_none()
    if user is None:
        raise NotFound(f"there is no user {ref}")
    return user
