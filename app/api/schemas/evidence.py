"""Evidence on the wire."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.common import Request, UserRef


class EvidenceCreate(Request):
    """A link bearing on the claim; http or https URLs only."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://www.reuters.com/technology/deepseek-v4",
                    "title": "DeepSeek launches V4",
                    "stance": "supports",
                }
            ]
        },
    )

    url: str
    title: str | None = None
    publisher: str | None = None
    published_on: str | None = Field(default=None, description="YYYY-MM-DD")
    stance: str | None = Field(default=None, description="supports, refutes or context")
    note: str | None = None


class WithdrawRequest(Request):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "The article was pulled."}]}
    )

    reason: str


class Evidence(BaseModel):
    id: int
    url: str
    title: str
    publisher: str
    published_on: date | None
    stance: str
    note: str
    added_by: UserRef | None
    added_at: datetime
    withdrawn: bool
    withdrawn_at: datetime | None
    withdrawn_by: UserRef | None
    withdrawn_reason: str | None


class EvidenceList(BaseModel):
    items: list[Evidence]
