"""Claims, their sources, evidence, tags, history, and the per-status counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.models.enums import RESOLUTIONS, ClaimStatus, EventKind, Stance, sql_in
from app.models.users import User

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Source(Base):
    """An outlet that reports claims; the track record is kept per source."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, space-folded name: "The Decoder" and "the  decoder" are one source.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.name!r}>"


class Claim(Base):
    """A statement expected to be settled by the end of its window."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(ClaimStatus)})", name="status"),
        CheckConstraint(
            f"(status IN ({sql_in(RESOLUTIONS)})) = (resolved_at IS NOT NULL)",
            name="resolved_iff_resolution",
        ),
        CheckConstraint("extensions >= 0", name="extensions"),
        CheckConstraint("version >= 1", name="version"),
        # The sweep finds due claims through this partial index, never by scanning the table.
        Index(
            "ix_claims_pending_window_end",
            "window_end",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_claims_status_window_end", "status", "window_end", "id"),
        Index("ix_claims_window_end_id", "window_end", "id"),
        Index("ix_claims_created_at_id", "created_at", "id"),
        Index("ix_claims_source_id_status", "source_id", "status"),
        Index("ix_claims_assignee_id", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    # Phrases that, besides the subject, find this claim's announcement in watched feeds.
    watch_terms: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    claimant: Mapped[str] = mapped_column(String(300), default="")
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    first_seen_url: Mapped[str | None] = mapped_column(String(2048))
    claimed_on: Mapped[date | None] = mapped_column(Date)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=ClaimStatus.PENDING.value)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    known_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # The UPDATE of a change carries `WHERE version = <the version we read>`: a concurrent
    # change makes it match nothing and fail, instead of silently overwriting. We set the
    # new value ourselves (one step per event), hence no generator.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    source: Mapped[Source | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    tag_links: Mapped[list[ClaimTag]] = relationship(
        cascade="all, delete-orphan", order_by="ClaimTag.tag", lazy="selectin"
    )
    tags: AssociationProxy[list[str]] = association_proxy(
        "tag_links", "tag", creator=lambda tag: ClaimTag(tag=tag)
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="claim", order_by="Evidence.id", cascade="all, delete-orphan"
    )

    @property
    def status_enum(self) -> ClaimStatus:
        return ClaimStatus(self.status)

    @property
    def is_resolved(self) -> bool:
        return self.status_enum.is_resolution

    @property
    def resolution(self) -> dict[str, Any] | None:
        """Outcome, note and both times of the resolution, or None while the claim is open."""
        if not self.is_resolved:
            return None
        return {
            "outcome": self.status,
            "note": self.resolution_note or "",
            "known_at": self.known_at,
            "resolved_at": self.resolved_at,
            "resolved_by": self.resolved_by_id,
        }

    def __repr__(self) -> str:
        return f"<Claim {self.id} {self.status} v{self.version}>"


class ClaimTag(Base):
    __tablename__ = "claim_tags"
    __table_args__ = (Index("ix_claim_tags_tag_claim_id", "tag", "claim_id"),)

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)


class Evidence(Base):
    """A link bearing on a claim; withdrawn, never deleted."""

    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint(f"stance IN ({sql_in(Stance)})", name="stance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(500), default="")
    publisher: Mapped[str] = mapped_column(String(200), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    stance: Mapped[str] = mapped_column(String(10), default=Stance.CONTEXT.value)
    note: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    claim: Mapped[Claim] = relationship(back_populates="evidence")
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ClaimEvent(Base):
    """One entry of a claim's append-only history; actor None means the system."""

    __tablename__ = "claim_events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(EventKind)})", name="kind"),
        Index("ix_claim_events_claim_id_id", "claim_id", "id"),
        Index("ix_claim_events_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
    claim: Mapped[Claim] = relationship()

    def __repr__(self) -> str:
        return f"<ClaimEvent {self.id} {self.kind} claim={self.claim_id}>"


class ClaimStatusCount(Base):
    """How many claims have each status, kept by database triggers (migrations 0001, 0007):
    `STATUS_COUNT_SHARDS` rows per status, a claim counting in the row of its id modulo that,
    so that writers to different claims do not queue for one counter row. A status's count is
    the sum of its rows (`app.claims.stats.status_counts`)."""

    __tablename__ = "claim_status_counts"
    __table_args__ = (CheckConstraint(f"status IN ({sql_in(ClaimStatus)})", name="status"),)

    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


STATUS_COUNT_SHARDS = 16
