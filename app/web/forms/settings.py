"""Forms of the settings and user-management pages."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField

from app.web.forms.choices import options

FREQUENCIES = [("off", "Off"), ("daily", "Daily"), ("weekly", "Weekly, on Mondays")]
HOURS = [(str(h), f"{h:02d}:00") for h in range(24)]
SCOPES = [("read", "Read only"), ("write", "Read and write")]
EXPIRY = [("", "Never"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")]
ROLES = [("viewer", "Viewer"), ("reviewer", "Reviewer"), ("admin", "Admin")]


@cache  # available_timezones() reads the tz database from disk on every call
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith("Etc/"))
    return [("UTC", "UTC"), *((n, n.replace("_", " ")) for n in names)]


class PreferencesForm(FlaskForm):
    name = StringField("Display name")
    timezone = SelectField("Time zone", validate_choice=False)
    digest_frequency = SelectField(
        "Email digest", choices=options(FREQUENCIES), validate_choice=False
    )
    digest_hour = SelectField("Send at (your time)", choices=options(HOURS), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password")
    new_password = PasswordField("New password")


class TokenForm(FlaskForm):
    name = StringField("Token name")
    scope = SelectField("Scope", choices=options(SCOPES), validate_choice=False)
    expires_in = SelectField("Expires", choices=options(EXPIRY), validate_choice=False)
    current_password = PasswordField("Your password")


class NewUserForm(FlaskForm):
    email = EmailField("Email")
    name = StringField("Name")
    role = SelectField("Role", choices=options(ROLES), default="reviewer", validate_choice=False)
    password = PasswordField("Initial password")


class AccessForm(FlaskForm):
    role = SelectField("Role", choices=options(ROLES), validate_choice=False)
    active = BooleanField("Active")
