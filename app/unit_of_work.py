"""The unit of work of each request, command and job: one ORM session, committed in one place.

Views and commands never commit. A request's session is committed after its view has answered
with anything below 400, and rolled back otherwise (`_finish_request`); a command's when it
returns (`command_unit`); a job's by `job_session`. The domain flushes and raises before it
changes anything, so a refused request leaves nothing behind.

The hot reads (the claim lists and a single claim) take their connection from
`read_connection()`, which depends only on the configuration, never on what ran before in the
request: on PostgreSQL a connection of the database's autocommit read pool, on SQLite the main
engine reading in a deferred transaction, in tests the test's own connection.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import Flask, Response, current_app, g
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import Database

EXTENSION = "claimwatch.db"
P = ParamSpec("P")
R = TypeVar("R")


def init_app(app: Flask, database: Database) -> None:
    app.extensions[EXTENSION] = database
    app.after_request(_finish_request)
    app.teardown_appcontext(_close)


def get_db(app: Flask | None = None) -> Database:
    """The Database of the given (or current) app."""
    return (app or current_app).extensions[EXTENSION]


def get_session() -> Session:
    """The session of the current app context, opened on first use, closed at teardown."""
    session = g.get("db_session")
    if session is None:
        session = g.db_session = get_db().session()
    return session


def read_connection() -> Connection:
    """The connection of this context's hot reads (see the module's docstring); it sees what
    is committed, so a view that answers with what it just changed reads through
    `get_session().connection()` instead."""
    connection: Connection | None = g.get("db_read_connection")
    if connection is None:
        db = get_db()
        if db.read_engine is None:
            connection = db.bind  # type: ignore[assignment]  (a test's Connection)
        else:
            connection = db.read_engine.connect()
            g.db_read_connection_own = True
        g.db_read_connection = connection
    assert connection is not None
    return connection


def _finish_request(response: Response) -> Response:
    """The one commit of a request: kept when the answer is a success or a redirect."""
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400:
        _rollback(session)
        return response
    try:
        session.commit()
    except Exception as exc:  # answered like the same failure inside the view
        _rollback(session)
        return current_app.make_response(current_app.handle_user_exception(exc))
    return response


def _rollback(session: Session) -> None:
    # After an outage the connection may be dead and its rollback fail too; the answer stands.
    with contextlib.suppress(DBAPIError):
        session.rollback()


def _close(_exc: BaseException | None) -> None:
    connection = g.pop("db_read_connection", None)
    if connection is not None and g.pop("db_read_connection_own", False):
        connection.close()
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def command_unit(command: Callable[P, R]) -> Callable[P, R]:
    """A `flask` command as one unit of work: committed when it returns, rolled back when it
    raises (a refused import changes nothing)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = get_session()
        try:
            result = command(*args, **kwargs)
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return result

    return run


@contextmanager
def job_session(app: Flask) -> Iterator[Session]:
    """A scheduled job's session, in an app context of its own. A job commits at the points
    its design names (each sweep batch, each outbox step), in its own module."""
    with app.app_context(), get_db(app).session() as session:
        yield session
