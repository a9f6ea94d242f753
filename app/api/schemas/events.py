"""A claim's history on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.api.schemas.common import UserRef


class Event(BaseModel):
    """One entry of the history: `actor` is the user, or the string "system" (the scheduler)."""

    id: int
    kind: Literal[
        "created",
        "edited",
        "evidence_added",
        "evidence_withdrawn",
        "commented",
        "assigned",
        "window_extended",
        "flagged_overdue",
        "resolved",
        "reopened",
        "lead_found",
        "lead_dismissed",
    ]
    at: datetime
    actor: UserRef | Literal["system"]
    data: dict[str, Any] = Field(description="What changed; depends on the kind")


class EventList(BaseModel):
    """The history, oldest first."""

    items: list[Event]
