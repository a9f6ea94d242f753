"""Who is signed in: a light copy of the user's columns, the ORM row only when a view needs it.

Every signed-in page looks its user up, and most only show a name, a role and a time zone: the
user is read as plain columns in one statement on the read connection. Views that change
something ask for `SignedIn.user`, the `User` row in the request's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import UserMixin
from sqlalchemy import bindparam, select

from app.accounts.sessions import session_token_hash
from app.models import User, UserSession
from app.models.users import AccountRules
from app.unit_of_work import get_session, read_connection


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


def current_account(user_id: int, session_token: str) -> Account | None:
    """The account whose session this is, if that session is still current."""
    values = {"user_id": user_id, "token_hash": session_token_hash(session_token)}
    row = read_connection().execute(CURRENT_ACCOUNT, values).first()
    return Account(*row) if row is not None else None


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
