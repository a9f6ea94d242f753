"""Who is signed in: a light copy of the user's columns, the ORM row only when a view needs it.

Every signed-in page looks its user up. Read pages only show a name, a role and a time zone,
so the session's user is read as plain columns in one precompiled statement (the ORM's
identity map and entity loading were a fifth of a list page's CPU, docs/benchmarks.md); views
that change something ask for `SignedIn.user`, the `User` row in the request's session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import g
from flask_login import UserMixin
from sqlalchemy import bindparam, select, true

from app.accounts.sessions import session_token_hash
from app.claims.stats import counts_by_status
from app.db import autocommit_connection, get_session
from app.models import ClaimStatusCount, User, UserSession
from app.models.users import AccountRules

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Account(AccountRules):
    """The signed-in user's columns as one read, for pages that change nothing."""

    id: int
    email: str
    name: str
    role: str
    timezone: str
    active: bool


ACCOUNT_COLUMNS = (User.id, User.email, User.name, User.role, User.timezone, User.active)
# Only a current session finds its user: sign-out, a password change and deactivation delete
# the session's row, and a deactivated user has no session at all.
CURRENT = (
    User.id == bindparam("user_id"),
    UserSession.token_hash == bindparam("token_hash"),
    User.active,
)
CURRENT_ACCOUNT = (
    select(*ACCOUNT_COLUMNS).join(UserSession, UserSession.user_id == User.id).where(*CURRENT)
)
# The same, with the desk's counts per status beside it: one row per status.
CURRENT_ACCOUNT_AND_COUNTS = (
    select(*ACCOUNT_COLUMNS, ClaimStatusCount.status, ClaimStatusCount.count)
    .select_from(User)
    .join(UserSession, UserSession.user_id == User.id)
    .outerjoin(ClaimStatusCount, true())
    .where(*CURRENT)
)


def read_page(*, with_status_counts: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A page that changes nothing: the signed-in user is read through `autocommit_connection()`
    (on PostgreSQL a pooled connection in autocommit, no ORM session), where the view reads
    too. `with_status_counts`: the counts per status come in the same statement as the user
    (one round trip less); `status_counts_read()` has them. Put it outside `login_required`,
    whose user lookup is that statement."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            g.read_page = True
            g.read_status_counts = with_status_counts
            return view(*args, **kwargs)

        return wrapper

    return decorator


def status_counts_read() -> dict[str, int] | None:
    """The counts per status read with the signed-in user in this request, if they were."""
    return g.get("status_counts")


def current_account(user_id: int, session_token: str) -> Account | None:
    """The account whose session this is, if that session is still current."""
    connection = autocommit_connection() if g.get("read_page") else get_session().connection()
    values = {"user_id": user_id, "token_hash": session_token_hash(session_token)}
    if not g.get("read_status_counts"):
        row = connection.execute(CURRENT_ACCOUNT, values).first()
        return Account(*row) if row is not None else None
    rows = connection.execute(CURRENT_ACCOUNT_AND_COUNTS, values).all()
    if not rows:
        return None
    width = len(ACCOUNT_COLUMNS)
    g.status_counts = counts_by_status(row[width:] for row in rows)
    return Account(*rows[0][:width])


class SignedIn(UserMixin):
    """The signed-in user as Flask-Login sees it; attributes come from the `User` row once a
    view has loaded it (so changes made in this request show), from the `Account` before."""

    def __init__(self, account: Account | User, session_token: str) -> None:
        self._account = account
        self._user = account if isinstance(account, User) else None
        self._session_token = session_token

    @property
    def session_token(self) -> str:
        """This session's token, as the signed cookie carries it (the database has its hash)."""
        return self._session_token

    @property
    def user(self) -> User:
        """The `User` row in the request's session, for the domain functions."""
        if self._user is None:
            self._user = get_session().get_one(User, self._account.id)
        return self._user

    def _current(self) -> Account | User:
        return self._user if self._user is not None else self._account

    def get_id(self) -> str:
        # The session token is part of the id, so deleting its row ends the session.
        return f"{self._current().id}:{self._session_token}"

    @property
    def is_active(self) -> bool:
        return self._current().active

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not an account attribute (and no recursion before init)
            raise AttributeError(name)
        current = self._current()
        if current is not self._user and not hasattr(Account, name):
            current = self.user  # something the light copy does not read: the ORM row has it
        return getattr(current, name)
