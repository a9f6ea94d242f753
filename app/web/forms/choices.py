"""Select options in the form WTForms 3.3+ asks for (tuples are deprecated)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """`[(value, label), ...]` as SelectChoice objects."""
    return [SelectChoice(value, label) for value, label in pairs]
