"""CPU time of a process tree and of a database's PostgreSQL backends, from /proc (Linux).

On a shared machine, requests per second move with whatever else runs; the CPU a request
costs moves much less. PostgreSQL's backends are only visible when the server runs on this
machine; elsewhere their share reads as None.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

TICK = 1 / os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) * TICK


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return parents


def tree_seconds(pid: int) -> float:
    """CPU seconds of `pid` and its descendants (gunicorn's master and workers)."""
    parents = _parents()
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(process_seconds(member) for member in tree)


def backend_seconds(engine: Engine) -> float | None:
    """CPU seconds of every backend connected to `engine`'s database, or None if not local."""
    with engine.connect() as conn:
        pids = conn.scalars(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).all()
    if pids and not Path(f"/proc/{pids[0]}/stat").exists():
        return None
    return sum(process_seconds(pid) for pid in pids)
