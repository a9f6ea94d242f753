"""Watched feeds, the entries already seen in each, the leads they produced, and the index of
the claims' watch terms that entries are matched against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.models.enums import LeadStatus, sql_in
from app.models.users import User

# Longest word kept by the normalisation (`app.claims.terms`): terms and entries alike.
MAX_WORD = 64


class Watch(Base):
    """A feed the desk follows; removing it stops polling and keeps its row and its leads."""

    __tablename__ = "watches"
    __table_args__ = (
        CheckConstraint("consecutive_failures >= 0", name="consecutive_failures"),
        # The poller's claim: live watches whose next poll has come.
        Index(
            "ix_watches_next_poll_at",
            "next_poll_at",
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The validators of the last answer, sent back so that an unchanged feed answers 304.
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # Health: when it was last asked, last answered usefully, and what went wrong since.
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The poller holding the watch, until `lease_until`; a crashed poller's hold lapses.
    lease_owner: Mapped[str | None] = mapped_column(String(16))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    def __repr__(self) -> str:
        return f"<Watch {self.id} {self.url!r}>"


class WatchEntry(Base):
    """An entry already seen in a watch's feed, by the hash of its id (or its link)."""

    __tablename__ = "watch_entries"

    watch_id: Mapped[int] = mapped_column(
        ForeignKey("watches.id", ondelete="CASCADE"), primary_key=True
    )
    entry_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lead(Base):
    """A feed entry that may settle a claim; one per (claim, entry link)."""

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("claim_id", "url_key"),
        CheckConstraint(f"status IN ({sql_in(LeadStatus)})", name="status"),
        # The inbox (new leads, newest first) and the API's list by status.
        Index("ix_leads_status_found_at_id", "status", "found_at", "id"),
        Index("ix_leads_claim_id_found_at_id", "claim_id", "found_at", "id"),
        Index("ix_leads_watch_id_found_at_id", "watch_id", "found_at", "id"),
        Index("ix_leads_found_at_id", "found_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id"))
    url: Mapped[str] = mapped_column(String(2048))
    # SHA-256 of the URL: the same article is one lead per claim, whichever feed brought it.
    url_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The watch term that matched (as the claim has it) and its words, as normalised.
    matched_term: Mapped[str] = mapped_column(String(200))
    matched_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default=LeadStatus.NEW.value)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))

    watch: Mapped[Watch] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<Lead {self.id} claim={self.claim_id} {self.status}>"


class ClaimTerm(Base):
    """One watch term of a claim (0: its subject, n: its n-th `watch_terms`), found by its
    anchor: its longest word, the one least likely to occur in every entry."""

    __tablename__ = "claim_terms"
    __table_args__ = (
        Index("ix_claim_terms_anchor", "anchor", "claim_id", "term_no", "word_count"),
    )

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    term_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    anchor: Mapped[str] = mapped_column(String(MAX_WORD))
    word_count: Mapped[int] = mapped_column(SmallInteger)


class ClaimTermWord(Base):
    """Each distinct word of a claim's watch term: an entry matches the term when it has all."""

    __tablename__ = "claim_term_words"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    term_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    word: Mapped[str] = mapped_column(String(MAX_WORD), primary_key=True)
