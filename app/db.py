"""The declarative base, the UTC timestamp type and the per-app engine and session wiring."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; constraint names follow NAMING_CONVENTION."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC instant on both databases (SQLite keeps no offset, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; Claimwatch stores aware UTC instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide where transactions begin: pysqlite's own
    # handling skips BEGIN before SELECTs and breaks SAVEPOINTs (SQLAlchemy's SQLite docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Execution option marking connections of the autocommit pool (`Database.autocommit_engine`).
AUTOCOMMIT = "claimwatch_autocommit"
# Execution option for long read-only work on SQLite (exports): begin without the write lock.
READ_ONLY = {"sqlite_begin": "DEFERRED"}


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes SQLite's single write lock up front (waiting up to busy_timeout). A
    # deferred transaction that reads and then writes fails outright when another process
    # wrote in between, which would lose a reviewer's form submission; short transactions
    # queueing for the lock is the better trade for the embedded database. Long reads opt out
    # with READ_ONLY (in WAL mode they then neither block writers nor wait for them).
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas and pool settings Claimwatch relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pre-ping: it cost a round trip on every checkout, a fifth of a cheap API read. A
    # connection that died (PostgreSQL restarted, a proxy cut it) fails the one statement
    # that finds out; SQLAlchemy then recognises the disconnect and invalidates the whole
    # pool, so the next request gets fresh connections (tests/test_db_reconnect.py).
    # pool_recycle replaces connections before idle-timeouts of proxies and firewalls bite.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    # A request that cannot get a pooled connection within seconds answers 503 (see
    # `database_unavailable`) rather than holding its worker. A refused connection fails at
    # once; for a database behind a network that may drop packets, add `connect_timeout=5` to
    # DATABASE_URL (not set here: psycopg times it against a clock the tests freeze).
    kwargs.setdefault("pool_timeout", 10)
    return create_engine(url, **kwargs)


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database cannot serve us right now (down, restarting, refusing
    connections, locked, no pooled connection free): worth a 503 and a retry, not a 500."""
    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Database:
    """Engine and session factory of one app; one session per app context."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind
        self.engine = bind if isinstance(bind, Engine) else bind.engine
        # A Connection bind means a test holds an outer transaction: commits become savepoints.
        mode = "create_savepoint" if isinstance(bind, Connection) else "conditional_savepoint"
        self.sessionmaker = sessionmaker(
            bind=bind, expire_on_commit=False, join_transaction_mode=mode
        )
        # Reads that need no transaction get a plain connection in autocommit (PostgreSQL
        # only; SQLite and tests' outer transactions read through the session), from a pool of
        # its own whose connections stay in autocommit: switching a shared pool's connection
        # on every checkout and back on every return cost ~5% of a POST (docs/benchmarks.md).
        self.autocommit_engine: Engine | None = None
        if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
            url = bind.url.render_as_string(hide_password=False)
            autocommit = make_engine(url, isolation_level="AUTOCOMMIT")
            self.autocommit_engine = autocommit.execution_options(**{AUTOCOMMIT: True})
            _dispose_together(bind, autocommit)

    def init_app(self, app: Flask) -> None:
        app.extensions["claimwatch.db"] = self
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        connection = g.pop("db_autocommit_connection", None)
        if connection is not None and g.pop("db_autocommit_connection_own", False):
            connection.close()
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def _dispose_together(engine: Engine, autocommit: Engine) -> None:
    """The two pools of one database go together: disposing the app's engine disposes the
    autocommit pool, and a dead connection found in either (PostgreSQL restarted) drops the
    other's connections too, so that only the request that found it fails (as with one pool,
    tests/test_db_reconnect.py)."""

    def disposed(_engine: Engine) -> None:
        autocommit.dispose()

    def failed(context: ExceptionContext) -> None:
        if context.is_disconnect:
            engine.dispose()  # and, through `disposed`, the autocommit pool

    event.listen(engine, "engine_disposed", disposed)
    event.listen(engine, "handle_error", failed)
    event.listen(autocommit, "handle_error", failed)


def get_db(app: Flask | None = None) -> Database:
    """The Database of the given (or current) app."""
    return (app or current_app).extensions["claimwatch.db"]


def get_session() -> Session:
    """The session of the current app context, opened on first use, closed at teardown."""
    session = g.get("db_session")
    if session is None:
        session = g.db_session = get_db().sessionmaker()
    return session


def autocommit_session() -> Session:
    """The request's session, in autocommit on PostgreSQL: every statement commits on its own.

    For requests that write nothing (or only what may commit by itself, a token's
    `last_used_at`). Saves the BEGIN and COMMIT / ROLLBACK round trips of a transaction; each
    read is one consistent statement anyway. Must come before the session's first statement
    (later it is left as it is); SQLite, and tests' outer transactions, keep transactions, so
    callers still commit.
    """
    session = get_session()
    db = get_db()
    if (
        isinstance(db.bind, Engine)
        and db.engine.dialect.name == "postgresql"
        and not session.in_transaction()
    ):
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


def autocommit_connection() -> Connection:
    """A connection whose statements commit on their own, one per app context: for reads
    (and what may commit by itself, a token's `last_used_at`), and for a change that one
    statement makes whole (a new claim, app.claims.creation).

    On PostgreSQL a pooled connection in autocommit, without an ORM session around it: for the
    API's cheapest requests the session's bookkeeping cost a tenth of their CPU
    (docs/benchmarks.md, "api"). When the context already has a session, or on SQLite, the
    session's connection, in its transaction: `commit_request` commits it.
    """
    connection: Connection | None = g.get("db_autocommit_connection")
    if connection is None:
        engine = get_db().autocommit_engine
        if engine is None or "db_session" in g:
            connection = autocommit_session().connection()
        else:
            connection = engine.connect()
            g.db_autocommit_connection_own = True
        g.db_autocommit_connection = connection
    return connection


def commit_request() -> None:
    """Commit the request's session, if it has one (`autocommit_connection` on SQLite)."""
    session = g.get("db_session")
    if session is not None:
        session.commit()


@contextmanager
def all_or_nothing(connection: Connection) -> Iterator[None]:
    """Statements that must be written together. On a connection in autocommit
    (`autocommit_connection` on PostgreSQL) they get a transaction of their own; otherwise
    they already share the caller's transaction."""
    if not connection.get_execution_options().get(AUTOCOMMIT):
        yield
        return
    connection.commit()  # ends SQLAlchemy's record of the autocommit work; sends nothing
    connection.execution_options(isolation_level="READ COMMITTED")
    try:
        with connection.begin():
            yield
    finally:
        connection.execution_options(isolation_level="AUTOCOMMIT")
