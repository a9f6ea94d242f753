"""The desk's settings that rules depend on, read once at start-up and carried by every
database connection, so that no face passes a rule's parameter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

# The execution option under which connections carry the policy (`app.db.Database`).
POLICY_OPTION = "claimwatch_policy"


@dataclass(frozen=True)
class DeskPolicy:
    """`overdue_grace`: how long after its window a pending claim becomes overdue
    (OVERDUE_GRACE); `watch_interval`: how often each watched feed is asked for news
    (WATCH_INTERVAL), the base of the backoff after failures."""

    overdue_grace: timedelta = timedelta(0)
    watch_interval: timedelta = timedelta(minutes=15)

    def connection_options(self) -> dict[str, object]:
        """The execution options that make a connection carry this policy."""
        return {POLICY_OPTION: self}


DEFAULT_POLICY = DeskPolicy()


def policy_of(bind: Session | Connection) -> DeskPolicy:
    """The policy of the database `bind` works on (the default when it carries none)."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    return connection.get_execution_options().get(POLICY_OPTION, DEFAULT_POLICY)
