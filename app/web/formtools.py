"""Putting the domain's field errors beside the fields of a form."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.claims.errors import ValidationError

GENERAL = "_general"


def show_errors(
    form: FlaskForm, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Each message beside its field; messages for fields the form lacks go to the top."""
    general: list[str] = []
    for name, messages in exc.errors.items():
        target = (aliases or {}).get(name, name)
        if target in form._fields and target != "csrf_token":
            field = form[target]
            field.errors = [*field.errors, *messages]
        else:
            general += [f"{name.replace('_', ' ')}: {m}" for m in messages]
    form.form_errors = [*form.form_errors, *general]
