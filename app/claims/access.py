"""Who may change claims, and loading a claim locked for the change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.claims.errors import NotFound, PermissionDenied, ValidationError
from app.db import MAX_ID
from app.models import Claim, User
from app.models.users import AccountRules

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


# One answer for every account that cannot be given claims: unknown, inactive or a viewer.
NOT_ASSIGNABLE = "must be an active reviewer or admin"


def find_assignee(session: Session, ref: int | str) -> User:
    """The user `ref` (an id, or an email in any case) names, if claims may be assigned to them.

    Unknown, inactive and viewer accounts get the same refusal (ValidationError on `assignee`),
    so trying ids or emails tells a reviewer nothing about accounts they cannot assign to.
    """
    user = _user_by_ref(session, ref)
    if user is None or not user.can_write:
        raise ValidationError.single("assignee", NOT_ASSIGNABLE)
    return user


def _user_by_ref(session: Session, ref: int | str) -> User | None:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
        # Ids are 32-bit; a larger number names nobody (and would overflow the driver).
        return session.get(User, int(ref)) if 0 < int(ref) <= MAX_ID else None
    if "\x00" in ref:
        return None  # no email holds a NUL, and PostgreSQL refuses one in a query (a 500)
    return session.scalars(select(User).where(User.email == ref.strip().lower())).one_or_none()
