"""Claims on the wire: what a client sends to create or change one, and what it gets back."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.common import Request, UserRef
from app.api.schemas.evidence import Evidence

DATE_OR_TIME = "A date (YYYY-MM-DD, meaning the end of that day, UTC) or an RFC 3339 time"
DEEPSEEK_EXAMPLE = {
    "statement": "DeepSeek V4 will be trained and served entirely on Huawei Ascend chips",
    "subject": "DeepSeek V4",
    "claimant": "DeepSeek, per unnamed insiders",
    "source": "The Information",
    "first_seen_url": "https://www.theinformation.com/articles/deepseek-v4-ascend",
    "claimed_on": "2026-11-20",
    "expected_within": "P3W",
    "tags": ["ai", "chips"],
    "watch_terms": ["Ascend 950"],
}


class ClaimFields(Request):
    statement: str | None = Field(default=None, description="1-500 characters")
    subject: str | None = None
    details: str | None = Field(default=None, description="Up to 20,000 characters")
    tags: list[str] | None = Field(default=None, description="Short lowercase labels")
    watch_terms: list[str] | None = Field(
        default=None,
        description="Phrases that, besides the subject, find the claim's announcement in "
        "watched feeds (every word of one must occur in an entry)",
    )
    claimant: str | None = None
    source: str | None = Field(default=None, description="The outlet's name")
    source_url: str | None = None
    first_seen_url: str | None = None
    claimed_on: str | None = Field(default=None, description="YYYY-MM-DD")
    window_start: str | None = Field(default=None, description=DATE_OR_TIME)


class ClaimCreate(ClaimFields):
    """A new claim; give `window_end`, or `expected_within` counted from `claimed_on`."""

    model_config = ConfigDict(json_schema_extra={"examples": [DEEPSEEK_EXAMPLE]})

    statement: str = Field(description="1-500 characters")  # type: ignore[assignment]
    window_end: str | None = Field(default=None, description=DATE_OR_TIME)
    expected_within: str | None = Field(
        default=None, description="P<n>D, P<n>W, P<n>M or P<n>Y, counted from claimed_on"
    )


class ClaimPatch(ClaimFields):
    """The fields to change; the window end and the status change only through actions."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"subject": "DeepSeek V4"}]})


class SourceRef(BaseModel):
    id: int
    name: str
    url: str | None


class Resolution(BaseModel):
    outcome: str
    note: str
    known_at: datetime = Field(description="When the truth became known")
    resolved_at: datetime = Field(description="When the resolution was recorded")
    resolved_by: UserRef | None


class Claim(BaseModel):
    """A claim as listed."""

    id: int
    statement: str
    subject: str
    details: str
    tags: list[str]
    watch_terms: list[str]
    claimant: str
    source: SourceRef | None
    first_seen_url: str | None
    claimed_on: date | None
    window_start: datetime | None
    window_end: datetime
    status: str = Field(
        description="pending, overdue, confirmed, partly_confirmed, refuted, retracted or void"
    )
    flagged_at: datetime | None
    extensions: int
    assignee: UserRef | None
    resolution: Resolution | None
    version: int
    created_at: datetime
    updated_at: datetime


class ClaimDetail(Claim):
    """A claim with its evidence."""

    evidence: list[Evidence]


class ClaimPage(BaseModel):
    """One page of claims; `next` is the cursor of the next page, null on the last."""

    items: list[Claim]
    next: str | None


class ResolveRequest(Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"outcome": "void", "note": "The company folded."}]},
    )

    outcome: str = Field(
        description="confirmed, partly_confirmed, refuted, retracted or void; the first three "
        "need evidence that is not withdrawn"
    )
    note: str | None = None
    known_at: str | None = Field(default=None, description="RFC 3339; not in the future")


class ExtendRequest(Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"expected_within": "P2W", "reason": "Delayed."}]},
    )

    reason: str
    window_end: str | None = Field(default=None, description=DATE_OR_TIME)
    expected_within: str | None = Field(default=None, description="Counted from today (UTC)")


class ReopenRequest(Request):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "New reporting."}]}
    )

    reason: str


class AssignRequest(Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"assignee": None}]})

    assignee: int | str | None = Field(description="A user id or email; null to unassign")


class CommentRequest(Request):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "Asked the company."}]}
    )

    body: str
