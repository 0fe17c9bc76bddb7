"""Engines and sessions for SQLite and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``, foreign keys on, a busy timeout and
reads through memory mapping.
Write transactions start with ``BEGIN IMMEDIATE`` so that concurrent writers queue for the
database lock instead of failing when a read transaction tries to upgrade to a write.

SQLite has one writer at a time. Writers queue for it in ``_SqliteWriter`` (a thread
lock in the process, an ``flock`` on a file beside the database between processes)
rather than in SQLite's busy handler, which polls with sleeps of up to 100 ms and so
turns a short queue into long tail latencies, most of all with several web workers.
"""

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: threads of one process still queue; processes poll
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from blangko.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 2**30
_WRITE = "blangko_write"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the per-dialect settings Blangko relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # FULL: a commit returns once the WAL is on disk, so an acknowledged write survives
        # a power cut (NORMAL may lose the last ones). One fsync per write: README, Benchmarks.
        cursor.execute("PRAGMA synchronous=FULL")
        # Reads go through memory mapping (up to 1 GiB of the file, address space only;
        # the pages are the OS page cache every connection shares): a page costs no
        # system call. Long reads that touch most of the file in no useful order, such as
        # the national forecast's history, take about a third less time. Writes still go
        # through the WAL, so durability is unchanged.
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class _SqliteWriter:
    """The write queue of one SQLite file in this process: a thread lock, then an
    ``flock`` on ``<database>-writer`` shared with the other processes. A plain lock, not
    a re-entrant one: a web request's session is opened and closed on different threads.

    A thread that waits longer than SQLite's own busy timeout for the others of its
    process fails with "database is locked" (503 with Retry-After), as it would in
    SQLite's busy handler. The file lock is taken blocking, so the next writer starts the
    moment the holder commits: polling it with LOCK_NB measured 25 % slower, and waiting
    for it in a helper thread (to give up at a deadline) 12 % slower. Its wait has no
    deadline; the holder is a transaction that ends (Blangko's long jobs write in
    batches), or a process whose death frees the lock."""

    def __init__(self, lock_path: str | None) -> None:
        self._threads = threading.Lock()
        self._lock_path = lock_path

    @contextmanager
    def hold(self) -> Iterator[None]:
        if not self._threads.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise _database_locked()
        try:
            if self._lock_path is None or fcntl is None:
                yield
                return
            fd = os.open(self._lock_path, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # also releases the file lock
        finally:
            self._threads.release()


def _database_locked() -> OperationalError:
    return OperationalError(
        "waiting for the SQLite write queue", None, sqlite3.OperationalError("database is locked")
    )


# One queue per (process, database file): a forked child gets its own, since a copy of a
# thread lock held at the fork would never be released in the child.
_writers: dict[tuple[int, str], _SqliteWriter] = {}
_writers_guard = threading.Lock()


def _sqlite_writer(engine: Engine) -> _SqliteWriter:
    database = engine.url.database or ""
    on_disk = database not in ("", ":memory:") and not database.startswith("file:")
    key = (os.getpid(), os.path.abspath(database) if on_disk else repr(engine.url))
    with _writers_guard:
        if key not in _writers:
            _writers[key] = _SqliteWriter(key[1] + "-writer" if on_disk else None)
        return _writers[key]


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, echo=settings.sql_echo)


@lru_cache(maxsize=16)
def writer(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions take the write lock up front
    (made once per engine: every write request asks for it)."""
    return engine.execution_options(**{_WRITE: True})


def open_session(engine: Engine | None = None, *, write: bool) -> Session:
    """A session that has not touched the database yet; ``transaction`` runs its work."""
    engine = engine or get_engine()
    return Session(writer(engine) if write else engine, expire_on_commit=False)


@contextmanager
def transaction(session: Session) -> Iterator[None]:
    """Commits the session's work on success and rolls it back on any error. On SQLite a
    write transaction first waits its turn in the database's write queue, and holds it
    until the commit or rollback is done."""
    bind = session.get_bind()
    write = bool(bind.get_execution_options().get(_WRITE))
    assert isinstance(bind, Engine)
    queue = _sqlite_writer(bind).hold() if write and is_sqlite(bind) else nullcontext()
    with queue:
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def session_scope(engine: Engine | None = None, *, write: bool = True) -> Iterator[Session]:
    """One transaction in a new session (``open_session`` + ``transaction``)."""
    with open_session(engine, write=write) as session, transaction(session):
        yield session
