"""Putting the domain's field errors beside the fields of a form, in words for people.

The domain's messages are written for both the API and the web; a few name API things (field
names, "RFC 3339", "e.g. P3W") that mean nothing on a form with date pickers and a list of
lengths. Those are said again here in the form's own words.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm

from app.claims.errors import ValidationError

GENERAL = "_general"

# Whole messages a form says differently.
SAID_ON_FORMS = {
    "is required (or give expected_within, e.g. P3W)": "Pick how long, or the window's last day.",
    "is required (or give expected_within, e.g. P2W)": "Pick how long, or the window's last day.",
    "give either window_end or expected_within, not both": (
        "Pick either how long or the last day, not both."
    ),
    "must be one of confirmed, partly_confirmed, refuted, retracted, void": "Choose an outcome.",
    "must be supports, refutes or context": "Choose a stance.",
    "must be a date (YYYY-MM-DD) or an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)": (
        "Enter a date, or a date and a time."
    ),
    "must be a date or an RFC 3339 time": "Enter a date, or a date and a time.",
    "needs a time zone offset, e.g. Z or +01:00": "Enter a date, or a date and a time.",
    "must be a date as YYYY-MM-DD": "Enter a date.",
    "must be a date, not a time": "Enter a date without a time.",
    "must be an ISO 8601 duration of whole days, weeks, months or years, e.g. P3W": (
        "Pick one of the lengths offered."
    ),
}
# Field names that may appear inside a message, as a form calls them.
FIELD_WORDS = {
    "window_end": "the window's end",
    "window_start": "the window's start",
    "expected_within": "the expected length",
    "claimed_on": "the claim date",
    "known_at": "the time it became known",
    "published_on": "the publication date",
    "first_seen_url": "the first-seen link",
    "source_url": "the source's website",
    "partly_confirmed": "partly confirmed",
}
FIELD_NAME = re.compile(r"\b(" + "|".join(map(re.escape, FIELD_WORDS)) + r")\b")


def for_people(message: str) -> str:
    """A domain message as a form shows it."""
    if message in SAID_ON_FORMS:
        return SAID_ON_FORMS[message]
    return FIELD_NAME.sub(lambda m: FIELD_WORDS[m.group(1)], message)


def show_errors(
    form: FlaskForm, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Each message beside its field; messages for fields the form lacks go to the top."""
    general: list[str] = []
    for name, messages in exc.errors.items():
        target = (aliases or {}).get(name, name)
        said = [for_people(m) for m in messages]
        if target in form._fields and target != "csrf_token":
            field = form[target]
            field.errors = [*field.errors, *said]
        else:
            label = FIELD_WORDS.get(name, name.replace("_", " "))
            general += [f"{label[0].upper()}{label[1:]}: {m}" for m in said]
    form.form_errors = [*form.form_errors, *general]
