"""An online copy of a SQLite database (``blangko db backup``) while the server writes.

SQLite's backup API copies the pages of one read transaction, so the copy is the database
as of one commit: every write committed before the copy started is in it, none is half in
it. A WAL-mode reader does not block writers, so the server goes on writing meanwhile. The
copy is taken in one step: a step-wise copy restarts whenever another connection writes,
and under a steady load might never finish. PostgreSQL is copied with ``pg_dump``."""

import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from blangko.errors import InvalidState


@dataclass(frozen=True)
class Backup:
    path: Path
    size_bytes: int
    movements: int


def backup_sqlite(engine: Engine, target: Path, *, force: bool = False) -> Backup:
    """Copies the SQLite database of ``engine`` to ``target``, a single file that needs no
    ``-wal`` beside it. Refuses an existing ``target`` unless ``force``; a copy that fails
    half-way leaves nothing at ``target`` (it is written beside it, then renamed)."""
    source_path = engine.url.database or ""
    if engine.dialect.name != "sqlite":
        raise InvalidState(
            "Cadangan untuk PostgreSQL dibuat dengan pg_dump (kata sandi dari ~/.pgpass atau "
            f"PGPASSWORD): pg_dump --format=custom --file {shlex.quote(str(target))} "
            f"{shlex.quote(pg_dump_url(engine))}"
        )
    if source_path in ("", ":memory:") or source_path.startswith("file:"):
        raise InvalidState(f"Basis data '{source_path or ':memory:'}' bukan berkas SQLite.")
    if not Path(source_path).is_file():
        raise InvalidState(f"Berkas basis data {source_path} tidak ada.")
    target = target.expanduser().absolute()
    if target.exists() and not force:
        raise InvalidState(
            f"Berkas {target} sudah ada. Pilih nama lain, atau tambahkan --force untuk menimpanya."
        )
    if not target.parent.is_dir():
        raise InvalidState(f"Folder {target.parent} tidak ada.")
    if target.resolve() == Path(source_path).resolve():
        raise InvalidState("Cadangan tidak boleh menimpa basis data itu sendiri.")
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        _copy(source_path, partial)
        os.replace(partial, target)
        _sync_directory(target.parent)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    copy = sqlite3.connect(target)
    try:
        (movements,) = copy.execute("SELECT count(*) FROM movements").fetchone()
    finally:
        copy.close()
    return Backup(path=target, size_bytes=target.stat().st_size, movements=int(movements))


def _copy(source_path: str, partial: str) -> None:
    source = sqlite3.connect(source_path, timeout=30)
    destination = sqlite3.connect(partial)
    try:
        source.backup(destination)  # pages=-1: all pages in one step, one snapshot
        # The copy keeps the source's WAL mode in its header; a rollback journal makes it
        # one self-contained file (Blangko turns WAL on again when it opens the database).
        destination.execute("PRAGMA journal_mode=DELETE")
        destination.commit()
    finally:
        destination.close()
        source.close()


def _sync_directory(path: Path) -> None:
    """Makes the rename durable (POSIX; elsewhere the rename is all there is)."""
    if os.name != "posix":
        return
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def pg_dump_url(engine: Engine) -> str:
    """The libpq URL of a PostgreSQL engine without its password (for the pg_dump hint)."""
    url = engine.url._replace(drivername="postgresql", password=None)  # set() ignores None
    return url.render_as_string(hide_password=False)
