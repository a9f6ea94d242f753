"""What an import did, or would do, and every problem it found."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from app.claims.errors import DomainError, ValidationError


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: `row` is the CSV row (header = 1) or the JSON Lines line number."""

    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    """Counts of what was (or would be) imported, and the errors that prevented it."""

    claims: int = 0
    evidence: int = 0
    events: int = 0
    sources: int = 0
    users_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # What `RowError.row` counts: spreadsheet rows or file lines.
    unit: str = "row"

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, field: str, message: str) -> None:
        self.errors.append(RowError(row, field, message))

    def add_domain_error(
        self, row: int, exc: DomainError, fields: dict[str, str] | None = None, default: str = "row"
    ) -> None:
        """Every message of a domain refusal, with the domain's field names renamed by `fields`."""
        rename = fields or {}
        if isinstance(exc, ValidationError):
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add(row, rename.get(name, name), message)
        else:
            self.add(row, default, exc.detail)

    def summary(self) -> dict[str, Any]:
        return {
            "claims": self.claims,
            "evidence": self.evidence,
            "events": self.events,
            "sources": self.sources,
            "users_created": list(self.users_created),
        }


# `progress(label, total)` gives a context whose value is called with each step done; the CLI
# passes a progress bar, code and tests pass nothing.
Step = Callable[[int], None]
Progress = Callable[[str, int | None], AbstractContextManager[Step]]


@contextmanager
def no_progress(_label: str, _total: int | None) -> Iterator[Step]:
    yield lambda _n: None
