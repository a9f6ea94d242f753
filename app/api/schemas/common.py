"""Schemas shared by every part of the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Request(BaseModel):
    """Base of request bodies: unknown fields are refused with 422."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(description="about:blank: the title is the meaning")
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = Field(
        default=None, description="For 422: the messages for each invalid field"
    )


class UserRef(BaseModel):
    """A person, as the API names them."""

    id: int
    name: str


SYSTEM_ACTOR = Literal["system"]
