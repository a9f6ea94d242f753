"""A claim's JSON as the API sends it, written by the database.

The claim's wire shape is defined here once, as one SQL expression (`json_build_object` on
PostgreSQL, `json_object` on SQLite). The database writes each claim's JSON in C while it reads
the row; Python only joins the texts. Turning 50 rows into dicts and then into JSON in Python
cost about half of a list request's CPU (docs/benchmarks.md, "api").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal_column, null, select
from sqlalchemy.orm import aliased

from app.claims.sqlfuncs import claim_tags_json, json_object, json_text, rfc3339
from app.models import Claim, Source, User
from app.models.users import label_sql

Assignee = aliased(User, name="assignee")
ResolvedBy = aliased(User, name="resolved_by")
EMPTY = literal_column("''")  # a constant, not a bind parameter


def _person(user: Any, user_id: ColumnElement[Any]) -> ColumnElement[Any]:
    return case(
        (user_id.is_(None), null()),
        else_=json_object(("id", user.id), ("name", label_sql(user))),
    )


def claim_document() -> ColumnElement[Any]:
    """The JSON of one claim (the `Claim` schema of the OpenAPI document) from `claims`
    joined to `sources`, `assignee` and `resolved_by` (see `claim_documents`)."""
    c = Claim
    return json_object(
        ("id", c.id),
        ("statement", c.statement),
        ("subject", c.subject),
        ("details", c.details),
        ("tags", claim_tags_json(c.id)),
        ("claimant", c.claimant),
        (
            "source",
            case(
                (c.source_id.is_(None), null()),
                else_=json_object(("id", Source.id), ("name", Source.name), ("url", Source.url)),
            ),
        ),
        ("first_seen_url", c.first_seen_url),
        ("claimed_on", c.claimed_on),
        ("window_start", rfc3339(c.window_start)),
        ("window_end", rfc3339(c.window_end)),
        ("status", c.status),
        ("flagged_at", rfc3339(c.flagged_at)),
        ("extensions", c.extensions),
        ("assignee", _person(Assignee, c.assignee_id)),
        (
            "resolution",
            case(
                (c.resolved_at.is_(None), null()),
                else_=json_object(
                    ("outcome", c.status),
                    ("note", func.coalesce(c.resolution_note, EMPTY)),
                    ("known_at", rfc3339(c.known_at)),
                    ("resolved_at", rfc3339(c.resolved_at)),
                    ("resolved_by", _person(ResolvedBy, c.resolved_by_id)),
                ),
            ),
        ),
        ("version", c.version),
        ("created_at", rfc3339(c.created_at)),
        ("updated_at", rfc3339(c.updated_at)),
    )


@cache
def claim_documents() -> Select[Any]:
    """Each claim's JSON text (`doc`), and nothing else: a list's cursor is read from its last
    document, so no other column is converted for every row (see `claim_documents_with_ids`).

    Built once: statements are immutable, and SQLAlchemy finds the compiled form of a reused
    statement by its memoized cache key.
    """
    return (
        select(json_text(claim_document()).label("doc"))
        .outerjoin(Source, Source.id == Claim.source_id)
        .outerjoin(Assignee, Assignee.id == Claim.assignee_id)
        .outerjoin(ResolvedBy, ResolvedBy.id == Claim.resolved_by_id)
    )


@cache
def claim_documents_with_ids() -> Select[Any]:
    """`claim_documents` with each claim's id and version (what an ETag is made of)."""
    return claim_documents().add_columns(Claim.id, Claim.version)


@dataclass(frozen=True)
class ClaimDoc:
    """One claim's JSON text, and what its ETag is made of."""

    id: int
    version: int
    json: str

    def with_field(self, name: str, value_json: str) -> ClaimDoc:
        """The document with one more field (its value already JSON) at the end."""
        assert self.json.endswith("}")
        return ClaimDoc(self.id, self.version, f'{self.json[:-1]}, "{name}" : {value_json}}}')
