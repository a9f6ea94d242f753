"""Sources with their track record, and the desk-wide figures."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TrackRecord(BaseModel):
    counts: dict[str, int] = Field(description="Claims by status")
    confirmation_share: float | None = Field(
        description="confirmed = 1, partly_confirmed = 1/2, over confirmed + partly + refuted"
    )
    confirmation_interval: list[float] | None = Field(
        description="95% Wilson interval [low, high]", min_length=2, max_length=2
    )
    overdue_now: int
    median_days_to_known: float | None
    median_extensions: float | None


class Source(BaseModel):
    id: int
    name: str
    url: str | None
    track_record: TrackRecord


class SourceList(BaseModel):
    items: list[Source]


class Stats(BaseModel):
    counts: dict[str, int] = Field(description="Claims by status")
    overdue_by_age: dict[str, int] = Field(description="0-7d, 8-30d, 31-90d, 90d+")
