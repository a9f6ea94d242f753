"""Watches, leads and similar claims on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.common import Request, UserRef


class WatchCreate(Request):
    """A feed to follow: RSS, Atom or JSON Feed, over http or https."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": "https://github.com/deepseek-ai/DeepSeek-V3/releases.atom", "name": "V3"}
            ]
        },
    )

    url: str
    name: str | None = Field(default=None, description="Optional; the URL's host otherwise")


class WatchHealth(BaseModel):
    state: Literal["waiting", "working", "failing"]
    summary: str = Field(description="In words: since when it fails, why, the next try")


class Watch(BaseModel):
    id: int
    url: str
    name: str
    created_at: datetime
    created_by: UserRef | None
    health: WatchHealth
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    next_poll_at: datetime
    leads: int = Field(description="How many leads its entries became")


class WatchList(BaseModel):
    items: list[Watch]


class LeadClaim(BaseModel):
    id: int
    statement: str
    status: str


class WatchRef(BaseModel):
    id: int
    name: str


class Lead(BaseModel):
    """A feed entry that may settle a claim."""

    id: int
    claim: LeadClaim
    watch: WatchRef
    url: str
    title: str
    summary: str
    published_at: datetime | None
    matched_term: str = Field(description="The watch term every word of which the entry holds")
    matched_words: list[str]
    status: Literal["new", "accepted", "dismissed"]
    found_at: datetime
    decided_at: datetime | None
    decided_by: UserRef | None
    dismiss_reason: str | None
    evidence_id: int | None = Field(description="The evidence item an accepted lead became")


class LeadPage(BaseModel):
    """One page of leads, newest first; `next` is the cursor of the next page."""

    items: list[Lead]
    next: str | None


class LeadList(BaseModel):
    items: list[Lead]


class AcceptLead(Request):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"stance": "supports"}]}
    )

    stance: str = Field(description="supports, refutes or context")
    note: str | None = None


class DismissLead(Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "About V3, not V4."}]},
    )

    reason: str


class SimilarClaim(BaseModel):
    id: int
    statement: str
    subject: str
    status: str
    window_end: datetime
    score: float = Field(description="0-1: the share of meaningful words the two have in common")
    matched_terms: list[str] = Field(description="Its watch terms found in this claim")


class SimilarList(BaseModel):
    """Existing claims that look like this one, best first."""

    items: list[SimilarClaim]
