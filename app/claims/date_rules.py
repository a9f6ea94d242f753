"""Dates that cannot be true, refused wherever a claim's dates are given (create, edit,
resolve, CSV import): a claim made in the future, a window that closes before the claim was
made, an outcome known before the claim existed. A window already past at creation stays
allowed: a backlog is entered after the fact."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.claims.deadlines import start_of_day
from app.claims.errors import FieldErrors

# claimed_on is a calendar date somewhere on Earth: "today" in UTC may still be yesterday for
# the reporter (or already tomorrow).
CLAIMED_ON_SLACK = timedelta(days=1)


def check_claimed_on(errors: FieldErrors, claimed_on: date | None, now: datetime) -> None:
    """A claim cannot have been made after today (UTC, one day of slack for time zones)."""
    if claimed_on is not None and claimed_on > now.date() + CLAIMED_ON_SLACK:
        errors.add(
            "claimed_on",
            f"is in the future ({claimed_on.isoformat()}; today is {now.date().isoformat()})",
        )


def check_window_after_claim(
    errors: FieldErrors,
    claimed_on: date | None,
    window_end: datetime | None,
    field: str = "window_end",
) -> None:
    """The window cannot close before the day the claim was made (`field` names the value
    being given: the window's end, or the claim's date on an edit)."""
    if claimed_on is None or window_end is None or window_end >= start_of_day(claimed_on):
        return
    if field == "window_end":
        errors.add(
            field,
            f"closes before the claim was made ({claimed_on.isoformat()}); "
            "a window ends on or after the day of the claim",
        )
    else:
        errors.add(
            field,
            f"is after the end of the claim's window ({window_end.date().isoformat()}); "
            "a claim is made before its window closes",
        )


def check_known_after_claim(
    errors: FieldErrors, claimed_on: date | None, known_at: datetime | None, field: str
) -> None:
    """The outcome cannot have become known before the claim was made."""
    if claimed_on is not None and known_at is not None and known_at < start_of_day(claimed_on):
        errors.add(
            field,
            f"is before the claim was made ({claimed_on.isoformat()}); the outcome cannot be "
            "known before the claim existed",
        )
