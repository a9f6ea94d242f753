"""Forms of the watches page and of the leads (on the inbox and on a claim's page)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField, URLField

from app.web.forms.choices import options
from app.web.forms.claims import STANCES

# Where a decision on a lead came from, and so where the reviewer goes back to.
BACK = ("inbox", "claim")


class WatchForm(FlaskForm):
    url = URLField("Feed address")
    name = StringField("Name")


class AcceptLeadForm(FlaskForm):
    stance = SelectField("Stance", choices=options([("", "Choose…"), *STANCES]), default="")
    note = TextAreaField("Note")
    back = HiddenField()


class DismissLeadForm(FlaskForm):
    reason = StringField("Reason")
    back = HiddenField()
