"""The form of a webhook endpoint (admins)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, URLField
from wtforms.widgets import CheckboxInput, ListWidget

from app.web.forms.choices import options
from app.webhooks.endpoints import event_kinds

FORMATS = [
    ("standard", "Standard Webhooks: signed JSON, for your own tools"),
    ("slack", "Slack: a message for an incoming webhook"),
]


class EndpointForm(FlaskForm):
    url = URLField("URL")
    format = SelectField("Format", choices=options(FORMATS), validate_choice=False)
    all_events = BooleanField("Every event kind, also kinds added later", default=True)
    events = SelectMultipleField(
        "Or only these kinds",
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField("Active: send deliveries", default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events.choices = options((kind, kind.replace("_", " ")) for kind in event_kinds())

    def values(self, *, with_active: bool) -> dict[str, Any]:
        """The endpoint's fields as the domain takes them."""
        values: dict[str, Any] = {
            "url": self.url.data or "",
            "format": self.format.data or "standard",
            "events": None if self.all_events.data else list(self.events.data or []),
        }
        if with_active:
            values["active"] = bool(self.active.data)
        return values
