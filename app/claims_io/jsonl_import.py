"""Restoring a JSON Lines export: same ids, versions, times and history, all or nothing.

The file is read once, line by line. Users and sources are set up as they come; claims are
checked one by one and inserted in batches (several rows per INSERT), which is what makes
100,000 claims take seconds instead of minutes. After the first problem nothing more is
written, but every later line is still checked so the report lists every bad line. The
caller commits only when the report has no errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.accounts.users import create_user
from app.claims.errors import ValidationError
from app.claims.sources import source_key
from app.claims.terms import index_rows
from app.claims_io.bulk import insert_rows, reset_sequences
from app.claims_io.jsonl_export import FORMAT, FORMAT_VERSION
from app.claims_io.jsonl_records import check_claim, check_source, check_user
from app.claims_io.report import ImportReport, Progress, Step, no_progress
from app.models import (
    Claim,
    ClaimEvent,
    ClaimTag,
    ClaimTerm,
    ClaimTermWord,
    Evidence,
    Source,
    User,
)

BATCH_SIZE = 1000
CLAIMS: Table = Claim.__table__  # type: ignore[assignment]
TAGS: Table = ClaimTag.__table__  # type: ignore[assignment]
EVIDENCE: Table = Evidence.__table__  # type: ignore[assignment]
EVENTS: Table = ClaimEvent.__table__  # type: ignore[assignment]
TERMS: Table = ClaimTerm.__table__  # type: ignore[assignment]
TERM_WORDS: Table = ClaimTermWord.__table__  # type: ignore[assignment]
ORDER = ("header", "user", "source", "claim")


class UnreadableFile(Exception):
    """The file is not an export at all; reading further would only repeat that."""


class Restore:
    """The state of one restore: who and what the file's references map to, and the batch."""

    def __init__(self, session: Session, now: datetime, progress: Progress) -> None:
        self.session = session
        self.now = now
        self.progress = progress
        self.step: Step = lambda _n: None
        self._bar: Any = None
        self.report = ImportReport(unit="line")
        self.header: dict[str, Any] | None = None
        self.stage = 0
        self.users = dict(session.execute(select(User.email, User.id)).tuples().all())
        self.sources: dict[int, int] = {}
        self.seen: dict[str, set[int]] = {"claim": set(), "evidence": set(), "event": set()}
        self.batch: list[tuple[int, dict[str, Any], list, list, list]] = []
        # On PostgreSQL one batch is written (by the server, mostly) while the next is checked
        # (in Python): the two overlap. Only the writer thread uses the session meanwhile.
        self.writer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="restore")
            if session.get_bind().dialect.name == "postgresql"
            else None
        )
        self.writing: Future[None] | None = None
        # Ids cannot collide in a database without claims (the usual restore): skip the checks.
        self.empty = all(
            session.scalar(select(table.c.id).limit(1)) is None
            for table in (CLAIMS, EVIDENCE, EVENTS)
        )

    def line(self, number: int, raw: str) -> None:
        if not raw.strip():
            return
        try:
            record = json.loads(raw)
        except ValueError as exc:
            self.report.add(number, "line", f"is not valid JSON ({exc.msg})")
            return
        kind = record.get("type") if isinstance(record, dict) else None
        if self.header is None and kind != "header":
            self.report.add(number, "type", f"the first line must be the {FORMAT} header")
            raise UnreadableFile
        if kind not in ORDER:
            self.report.add(number, "type", "must be header, user, source or claim")
            return
        if ORDER.index(kind) < self.stage or (kind == "header" and self.header is not None):
            self.report.add(
                number,
                "type",
                f"a {kind} record cannot come after {ORDER[self.stage]}"
                " records; the order is header, users, sources, claims",
            )
            return
        self.stage = ORDER.index(kind)
        try:
            getattr(self, f"_{kind}")(number, record)
        except ValidationError as exc:
            self.report.add_domain_error(number, exc)

    def _header(self, number: int, record: dict[str, Any]) -> None:
        if record.get("format") != FORMAT or record.get("version") != FORMAT_VERSION:
            self.report.add(
                number,
                "format",
                f"this is not a {FORMAT} version {FORMAT_VERSION}"
                " file (made by `flask claims export --format jsonl`)",
            )
            raise UnreadableFile
        self.header = record
        # The header says how many claims follow, so the progress bar knows its length.
        total = record.get("claims") if isinstance(record.get("claims"), int) else None
        self._bar = self.progress("restoring", total)
        self.step = self._bar.__enter__()

    def _user(self, number: int, record: dict[str, Any]) -> None:
        fields = check_user(record)
        email = fields["email"].strip().lower()
        if email in self.users:
            return
        # Authors of imported history keep their role but cannot sign in (inactive, no
        # password) until an admin turns them back on; keeping the role is what lets a second
        # export of the restored database be byte-identical to the first.
        user = create_user(
            self.session,
            self.now,
            email,
            fields["role"],
            name=fields["name"],
            password=None,
            timezone=fields["timezone"],
            active=False,
        )
        self.users[user.email] = user.id
        if user.email != email:
            self.users[email] = user.id
        self.report.users_created.append(user.email)

    def _source(self, number: int, record: dict[str, Any]) -> None:
        row = check_source(record)
        if row["id"] in self.sources:
            raise ValidationError.single("id", f"source {row['id']} appears twice in the file")
        key = source_key(row["name"])
        existing = self.session.scalar(select(Source.id).where(Source.name_key == key))
        if existing is None:
            # Keep the exported id unless this database already uses it for another outlet.
            taken = self.session.get(Source, row["id"]) is not None
            source = Source(**{**row, "id": None if taken else row["id"]}, name_key=key)
            self.session.add(source)
            self.session.flush()
            existing = source.id
            self.report.sources += 1
        self.sources[row["id"]] = existing

    def _claim(self, number: int, record: dict[str, Any]) -> None:
        claim, tags, evidence, events = check_claim(record, self.users, self.sources)
        for kind, rows in (("claim", [claim]), ("evidence", evidence), ("event", events)):
            for row in rows:
                if row["id"] in self.seen[kind]:
                    self.report.add(number, f"{kind}.id", f"{kind} {row['id']} appears twice")
                self.seen[kind].add(row["id"])
        self.batch.append((number, claim, tags, evidence, events))
        self.step(1)
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Insert the batch, unless its ids are taken or an earlier line was bad."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        if not self.empty or self.writer is not None:
            # The id check reads the database, which the writer thread is using; and the
            # writer takes one batch at a time.
            self.wait()
        if self.report.ok and not self.empty:
            self._check_collisions(batch)
        if not self.report.ok:
            return  # after the first problem nothing more is written
        if self.writer is None:
            self._insert(batch)
        else:
            self.writing = self.writer.submit(self._insert, batch)

    def wait(self) -> None:
        """Wait for the batch being written; a refusal by the database becomes a report error."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing.result()

    def _insert(self, batch: list[tuple[int, dict[str, Any], list, list, list]]) -> None:
        try:
            self._insert_rows(batch)
        except DBAPIError as exc:
            # Validation should leave nothing for the database to refuse; if it does, say
            # where, and write nothing more (the transaction is rolled back by the caller).
            first, last = batch[0][0], batch[-1][0]
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            self.report.add(first, "batch", f"the database refused lines {first}-{last}: {reason}")

    def _insert_rows(self, batch: list[tuple[int, dict[str, Any], list, list, list]]) -> None:
        insert_rows(self.session, CLAIMS, [claim for _, claim, *_ in batch])
        terms: list[dict[str, Any]] = []
        words: list[dict[str, Any]] = []
        for _, claim, *_ in batch:
            claim_terms, claim_words = index_rows(
                claim["id"], claim["subject"], claim["watch_terms"]
            )
            terms += claim_terms
            words += claim_words
        insert_rows(self.session, TERMS, terms)
        insert_rows(self.session, TERM_WORDS, words)
        insert_rows(self.session, TAGS, [tag for _, _, tags, *_ in batch for tag in tags])
        insert_rows(self.session, EVIDENCE, [item for *_, items, _ in batch for item in items])
        insert_rows(self.session, EVENTS, [event for *_, events in batch for event in events])
        self.report.claims += len(batch)
        self.report.evidence += sum(len(items) for *_, items, _ in batch)
        self.report.events += sum(len(events) for *_, events in batch)

    def _check_collisions(self, batch: list[tuple[int, dict[str, Any], list, list, list]]) -> None:
        for kind, table, position in (
            ("claim", CLAIMS, 1),
            ("evidence", EVIDENCE, 3),
            ("event", EVENTS, 4),
        ):
            owners: dict[int, int] = {}
            for entry in batch:
                rows = [entry[1]] if position == 1 else entry[position]
                owners.update({row["id"]: entry[0] for row in rows})
            if not owners:
                continue
            taken = self.session.scalars(select(table.c.id).where(table.c.id.in_(owners)))
            for taken_id in sorted(taken):
                self.report.add(
                    owners[taken_id],
                    f"{kind}.id",
                    f"{kind} {taken_id} already exists in this database; a restore"
                    " needs an empty database (or one without these ids)",
                )

    def finish(self) -> ImportReport:
        self.flush()
        self.wait()
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
        if self.header is not None and self.report.ok:
            announced = self.header.get("claims")
            if announced != len(self.seen["claim"]):
                self.report.add(
                    1,
                    "claims",
                    f"the header announces {announced} claims but the "
                    f"file has {len(self.seen['claim'])}; is it cut short?",
                )
        if self.report.ok:
            reset_sequences(self.session)
        self.report.errors.sort()
        return self.report


def restore_jsonl(
    session: Session,
    now: datetime,
    lines: Iterable[str],
    progress: Progress = no_progress,
) -> ImportReport:
    """Restore every record of an export; the report lists what was done or every bad line."""
    restore = Restore(session, now, progress)
    try:
        for number, raw in enumerate(lines, start=1):
            try:
                restore.line(number, raw)
            except UnreadableFile:
                break
        return restore.finish()
    finally:
        if restore.writer is not None:
            restore.writer.shutdown(wait=True)
