"""Everything as JSON Lines: a header, the users referred to, the sources, then one claim a line.

The output depends only on the data (no export time in it), so exporting twice gives the same
bytes; `docs/import-export.md` describes every record.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from sqlalchemy.orm import Session

from app.claims_io.records import (
    claim_count,
    iter_claim_records,
    referenced_user_ids,
    source_records,
    user_records,
)
from app.claims_io.report import Progress, no_progress

FORMAT = "claimwatch-export"
FORMAT_VERSION = 1


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(session: Session, out: TextIO, progress: Progress = no_progress) -> int:
    """Write the whole claim history to `out`; returns how many claims were written."""
    users = user_records(session, referenced_user_ids(session))
    sources = source_records(session)
    claims = claim_count(session)
    header = {
        "type": "header",
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "users": len(users),
        "sources": len(sources),
        "claims": claims,
    }
    out.write(dumps(header) + "\n")
    for record in (*users, *sources):
        out.write(dumps(record) + "\n")
    count = 0
    with progress("exporting", claims) as step:
        for record in iter_claim_records(session):
            out.write(dumps(record) + "\n")
            count += 1
            step(1)
    return count
