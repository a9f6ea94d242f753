"""Forms of the claim pages: new and edit, and every action on the claim page."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)

from app.present.statuses import STATUS_LABELS
from app.web.forms.choices import options

OUTCOMES = [
    (status, STATUS_LABELS[status])
    for status in ("confirmed", "partly_confirmed", "refuted", "retracted", "void")
]
# What each outcome does, said on the resolve form before anyone picks one.
OUTCOME_EFFECTS = {
    "confirmed": "It happened as claimed. Needs evidence that is not withdrawn.",
    "partly_confirmed": "Some of it happened. Counts as half confirmed in the source's record; "
    "needs evidence.",
    "refuted": "It did not happen, or the evidence shows it false. Needs evidence.",
    "retracted": "The claimant or the source took it back. Left out of the source's "
    "confirmed share.",
    "void": "It cannot be settled (the question went away). Left out of the confirmed share.",
}
STANCES = [("supports", "Supports"), ("refutes", "Refutes"), ("context", "Context")]
WITHIN = [
    ("", "— or pick the last day below —"),
    ("P1W", "1 week"),
    ("P2W", "2 weeks"),
    ("P3W", "3 weeks"),
    ("P1M", "1 month"),
    ("P3M", "3 months"),
    ("P6M", "6 months"),
    ("P1Y", "1 year"),
]


def text_values(form: FlaskForm, names: list[str]) -> dict[str, Any]:
    """The raw text of the named fields, as the domain takes it ("" for empty)."""
    return {name: form[name].raw_data[0] if form[name].raw_data else "" for name in names}


class ClaimFieldsForm(FlaskForm):
    """The fields shared by new and edit; all plain text, so a typo is kept and explained."""

    statement = TextAreaField("Statement")
    subject = StringField("Subject")
    claimant = StringField("Claimant")
    source = StringField("Source (outlet)")
    source_url = URLField("Source website")
    first_seen_url = URLField("First seen at")
    claimed_on = StringField("Claimed on")
    window_start = StringField("Window opens")
    tags = StringField("Tags")
    watch_terms = StringField("Watch terms")
    details = TextAreaField("Details")

    FIELDS = [
        "statement",
        "subject",
        "claimant",
        "source",
        "source_url",
        "first_seen_url",
        "claimed_on",
        "window_start",
        "tags",
        "watch_terms",
        "details",
    ]


class NewClaimForm(ClaimFieldsForm):
    expected_within = SelectField("Expected within", choices=options(WITHIN), default="")
    window_end = StringField("Window closes")

    FIELDS = [*ClaimFieldsForm.FIELDS, "expected_within", "window_end"]


class EditClaimForm(ClaimFieldsForm):
    version = HiddenField()


class EvidenceForm(FlaskForm):
    url = URLField("Link")
    title = StringField("Title")
    publisher = StringField("Publisher")
    published_on = StringField("Published on")
    stance = SelectField("Stance", choices=options(STANCES), default="supports")
    note = TextAreaField("Note")

    FIELDS = ["url", "title", "publisher", "published_on", "stance", "note"]


class WithdrawEvidenceForm(FlaskForm):
    reason = StringField("Reason")


class ResolveForm(FlaskForm):
    # No default: a reviewer picks the outcome, nothing is chosen for them.
    outcome = RadioField("Outcome", choices=options(OUTCOMES), validate_choice=False)
    note = TextAreaField("Note")
    known_at = StringField("Known since")


class ExtendForm(FlaskForm):
    expected_within = SelectField("New window", choices=options(WITHIN), default="")
    window_end = StringField("Or the new last day")
    reason = StringField("Reason")


class ReopenForm(FlaskForm):
    reason = StringField("Reason")


class AssignForm(FlaskForm):
    assignee = SelectField("Assign to", choices=[], validate_choice=False)


class CommentForm(FlaskForm):
    body = TextAreaField("Comment")


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons (sign out, revoke, regenerate)."""
