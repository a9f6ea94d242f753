"""CSV cells that a spreadsheet would run as formulas are kept as data (CSV injection)."""

from __future__ import annotations

import re

# A cell starting with one of these is a formula in Excel, LibreOffice and Google Sheets.
# The leading quote marks text; extra quotes are kept so that escaping is exactly reversible
# (a statement that really starts with "'=" comes back as "'=").
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@]")
_QUOTED = re.compile(r"^'+[=+\-@]")


def escape_cell(value: str) -> str:
    """The cell as written to a CSV file: formula-like text gets a leading single quote."""
    return "'" + value if _NEEDS_QUOTE.match(value) else value


def unescape_cell(value: str) -> str:
    """The cell as read from a CSV file: the quote added by `escape_cell` is removed."""
    return value[1:] if _QUOTED.match(value) else value
