"""Reading claims for responses: plain columns, not ORM objects.

Read views run in autocommit on PostgreSQL (`app.db.autocommit_connection`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from app.api.documents import ClaimDoc, claim_rows
from app.api.serialize import day, instant
from app.claims import NotFound
from app.models import Claim, Evidence, User
from app.models.users import label_sql

AddedBy = aliased(User, name="added_by")
WithdrawnBy = aliased(User, name="withdrawn_by")


@cache
def _claim_by_id() -> Select[Any]:
    """`claim_rows` for one id, and (last) whether the claim has any evidence at all: most
    claims have none, and then the evidence statement is skipped (one round trip, not two)."""
    has_evidence = exists().where(Evidence.claim_id == Claim.id).label("has_evidence")
    return claim_rows().add_columns(has_evidence).where(Claim.id == bindparam("claim_id"))


def read_claim(connection: Connection, claim_id: int) -> ClaimDoc:
    """The claim as the API shows it, with its evidence; NotFound when there is none."""
    # Core execution on the connection: the statement selects no ORM entities, so
    # the ORM's execution layer would only add per-call overhead.
    row = connection.execute(_claim_by_id(), {"claim_id": claim_id}).one_or_none()
    if row is None:
        raise NotFound(f"there is no claim {claim_id}")
    doc = ClaimDoc.from_row(row[:-1])
    doc.body["evidence"] = read_evidence(connection, claim_id) if row[-1] else []
    return doc


def _person(user_id: int | None, name: str | None) -> dict[str, Any] | None:
    return {"id": user_id, "name": name} if user_id is not None else None


def read_evidence(connection: Connection, claim_id: int) -> list[dict[str, Any]]:
    """The claim's evidence, oldest first, withdrawn items included."""
    rows = connection.execute(
        select(
            *Evidence.__table__.columns,
            label_sql(AddedBy).label("added_by_name"),
            label_sql(WithdrawnBy).label("withdrawn_by_name"),
        )
        .outerjoin(AddedBy, AddedBy.id == Evidence.added_by_id)
        .outerjoin(WithdrawnBy, WithdrawnBy.id == Evidence.withdrawn_by_id)
        .where(Evidence.claim_id == claim_id)
        .order_by(Evidence.id)
    ).mappings()
    return [
        {
            "id": row["id"],
            "url": row["url"],
            "title": row["title"],
            "publisher": row["publisher"],
            "published_on": day(row["published_on"]),
            "stance": row["stance"],
            "note": row["note"],
            "added_by": _person(row["added_by_id"], row["added_by_name"]),
            "added_at": instant(row["added_at"]),
            "withdrawn": row["withdrawn_at"] is not None,
            "withdrawn_at": instant(row["withdrawn_at"]),
            "withdrawn_by": _person(row["withdrawn_by_id"], row["withdrawn_by_name"]),
            "withdrawn_reason": row["withdrawn_reason"],
        }
        for row in rows
    ]
