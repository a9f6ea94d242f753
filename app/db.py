"""The declarative base, the UTC timestamp type, and the engines of one database (no Flask).

Models, migrations and the domain import this module; the Flask wiring of a request's session
lives in `app.unit_of_work`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Insert, MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Ids are INTEGER columns: a larger number names nothing, and would make a query fail.
MAX_ID = 2_147_483_647

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


def insert_ignoring_conflicts(table: Table, dialect: str, *index_elements: str) -> Insert:
    """INSERT that skips rows whose unique key another transaction wrote first (both
    databases spell it `ON CONFLICT DO NOTHING`, through their own dialect's construct)."""
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    return statement.on_conflict_do_nothing(index_elements=list(index_elements) or None)


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


# Execution option for reads on SQLite (the read connection, exports): begin without the
# write lock.
READ_ONLY = {"sqlite_begin": "DEFERRED"}


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes SQLite's single write lock up front (waiting up to busy_timeout). A
    # deferred transaction that reads and then writes fails outright when another process
    # wrote in between, which would lose a reviewer's form submission; short transactions
    # queueing for the lock is the better trade for the embedded database. Reads opt out
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
    # No pre-ping: a round trip on every checkout. A connection that died (PostgreSQL
    # restarted, a proxy cut it) fails the one statement that finds out; SQLAlchemy then
    # recognises the disconnect and invalidates the whole pool, so the next request gets
    # fresh connections (tests/test_db_reconnect.py). pool_recycle replaces connections
    # before idle-timeouts of proxies and firewalls bite.
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
    """One database: the engine behind every unit of work, the session factory, and the
    engine of the hot reads.

    `bind` is an Engine, or a Connection holding a test's outer transaction (then commits
    become savepoints and every read goes through that connection). `options` are execution
    options every connection carries: the desk's policy (`app.claims.policy`), which the
    domain reads from the session or connection it is given, so no caller passes it.
    """

    def __init__(self, bind: Engine | Connection, options: dict[str, Any] | None = None) -> None:
        self.options = dict(options or {})
        self.engine = bind if isinstance(bind, Engine) else bind.engine
        self.bind: Engine | Connection = bind.execution_options(**self.options)
        mode = "create_savepoint" if isinstance(bind, Connection) else "conditional_savepoint"
        self.sessionmaker = sessionmaker(
            bind=self.bind, expire_on_commit=False, join_transaction_mode=mode
        )
        self.read_engine = self._read_engine()

    def _read_engine(self) -> Engine | None:
        """Where the hot reads get their connection (`app.unit_of_work.read_connection`).

        PostgreSQL: a pool of its own whose connections stay in autocommit, so a read costs no
        BEGIN and COMMIT round trips (switching connections of the main pool to autocommit
        and back on every checkout cost more than it saved). SQLite: the main engine, reading
        in a deferred transaction that takes no write lock. A test's Connection: None (reads
        go through it).
        """
        if isinstance(self.bind, Connection):
            return None
        if self.engine.dialect.name != "postgresql":
            return self.engine.execution_options(**READ_ONLY, **self.options)
        url = self.engine.url.render_as_string(hide_password=False)
        reads = make_engine(url, isolation_level="AUTOCOMMIT")
        _dispose_together(self.engine, reads)
        return reads.execution_options(**self.options)

    def session(self) -> Session:
        """A new session (a unit of work) on this database."""
        return self.sessionmaker()

    def dispose(self) -> None:
        self.engine.dispose()


def _dispose_together(engine: Engine, reads: Engine) -> None:
    """The two pools of one database go together: disposing the main engine disposes the read
    pool, and a dead connection found in either (PostgreSQL restarted) drops the other's
    connections too, so that only the request that found it fails (tests/test_db_reconnect.py).
    """

    def disposed(_engine: Engine) -> None:
        reads.dispose()

    def failed(context: ExceptionContext) -> None:
        if context.is_disconnect:
            engine.dispose()  # and, through `disposed`, the read pool

    event.listen(engine, "engine_disposed", disposed)
    event.listen(engine, "handle_error", failed)
    event.listen(reads, "handle_error", failed)
