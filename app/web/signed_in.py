"""Who is signed in: a light copy of the user's columns, the ORM row only when a view needs it.

Every signed-in page looks its user up. Read pages only show a name, a role and a time zone,
so the session's user is read as plain columns in one precompiled statement (the ORM's
identity map and entity loading were a fifth of a list page's CPU, docs/benchmarks.md); views
that change something ask for `SignedIn.user`, the `User` row in the request's session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import UserMixin
from sqlalchemy import bindparam, select

from app.db import get_session
from app.models import User
from app.models.users import AccountRules


@dataclass(frozen=True, slots=True)
class Account(AccountRules):
    """The signed-in user's columns as one read, for pages that change nothing."""

    id: int
    email: str
    name: str
    role: str
    timezone: str
    active: bool
    session_token: str
    feed_key: str | None


# Only a current session finds its user: the token rotates at sign-out and password change,
# and a deactivated user has no session at all.
CURRENT_ACCOUNT = select(
    User.id,
    User.email,
    User.name,
    User.role,
    User.timezone,
    User.active,
    User.session_token,
    User.feed_key,
).where(
    User.id == bindparam("user_id"),
    User.session_token == bindparam("session_token"),
    User.active,
)


def current_account(user_id: int, session_token: str) -> Account | None:
    """The account whose session this is, if that session is still current."""
    connection = get_session().connection()
    row = connection.execute(
        CURRENT_ACCOUNT, {"user_id": user_id, "session_token": session_token}
    ).first()
    return Account(*row) if row is not None else None


class SignedIn(UserMixin):
    """The signed-in user as Flask-Login sees it; attributes come from the `User` row once a
    view has loaded it (so changes made in this request show), from the `Account` before."""

    def __init__(self, account: Account | User) -> None:
        self._account = account
        self._user = account if isinstance(account, User) else None

    @property
    def user(self) -> User:
        """The `User` row in the request's session, for the domain functions."""
        if self._user is None:
            self._user = get_session().get_one(User, self._account.id)
        return self._user

    def _current(self) -> Account | User:
        return self._user if self._user is not None else self._account

    def get_id(self) -> str:
        # The session token is part of the id: rotating it ends every other session.
        current = self._current()
        return f"{current.id}:{current.session_token}"

    @property
    def is_active(self) -> bool:
        return self._current().active

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not an account attribute (and no recursion before init)
            raise AttributeError(name)
        return getattr(self._current(), name)
