"""The public pages' cache (halaman publik): the board of every office's public status,
read from the database in a thread, and each page rendered once per board.

The board is checked against the ledger (``blangko.public.data_version``, three index
lookups) at most every ``CHECK_SECONDS``, by the one request that finds it due, and
rebuilt when anything changed or ``MAX_AGE_SECONDS`` passed (so that "today" and "belum
melapor sejak" move on); the requests arriving meanwhile get the previous board.
Every server process keeps its own cache; a page's ETag is the hash of its bytes, so the
processes agree on it."""

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from blangko.db import session_scope
from blangko.open_data import snapshot_months
from blangko.public import Board, DataVersion, data_version, public_board

log = logging.getLogger("blangko.web.public")
CHECK_SECONDS = 5.0
MAX_AGE_SECONDS = 300.0


@dataclass(frozen=True)
class Page:
    """A rendered public page and its validators."""

    body: bytes
    media_type: str
    etag: str
    last_modified: str


@dataclass
class Edition:
    """One board and the pages rendered from it."""

    board: Board
    months: list[str]  # months of open-data history (YYYY-MM), newest first
    version: DataVersion
    built: float  # time.monotonic() of the build
    modified_at: datetime  # when its data last changed (Last-Modified)
    checked: float
    pages: dict[str, Page] = field(default_factory=dict)

    def page(self, key: str, media_type: str, render: Callable[[Board], bytes]) -> Page:
        found = self.pages.get(key)
        if found is None:
            body = render(self.board)
            found = Page(
                body=body,
                media_type=media_type,
                etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                last_modified=format_datetime(self.modified_at, usegmt=True),
            )
            self.pages[key] = found
        return found


class PublicCache:
    """The board of one server process (``app.state.public``)."""

    def __init__(
        self, check_seconds: float = CHECK_SECONDS, max_age_seconds: float = MAX_AGE_SECONDS
    ) -> None:
        self.check_seconds = check_seconds
        self.max_age_seconds = max_age_seconds
        self._edition: Edition | None = None
        self._lock = threading.Lock()
        self._refreshing = False

    async def edition(self) -> Edition:
        """The current edition. The request that finds it unchecked for
        ``check_seconds`` checks it (a rebuild when the data changed); requests arriving
        meanwhile get the edition at hand. Only the very first requests wait for a build."""
        edition = self._edition
        stale = edition is None or time.monotonic() - edition.checked >= self.check_seconds
        if edition is not None and (not stale or self._refreshing):
            return edition
        self._refreshing = True
        try:
            return await asyncio.get_running_loop().run_in_executor(None, self.refresh)
        except Exception:
            if edition is None:
                raise
            log.exception("public board check failed; the previous board is served")
            return edition

    def refresh(self) -> Edition:
        """Checks the data version and rebuilds the board when it changed or is old."""
        with self._lock:
            try:
                return self._refresh_locked()
            finally:
                self._refreshing = False

    def _refresh_locked(self) -> Edition:
        now = time.monotonic()
        current = self._edition
        with session_scope(write=False) as session:
            version = data_version(session=session)
            fresh = current is not None and now - current.built < self.max_age_seconds
            if current is not None and fresh and version == current.version:
                current.checked = now
                return current
            board = public_board(session=session)
            months = snapshot_months(session=session)
        if (
            current is not None
            and version == current.version
            and board == _retimed(current.board, board)
        ):
            modified_at = current.modified_at
        else:
            modified_at = board.as_of.replace(microsecond=0)
        edition = Edition(
            board=board,
            months=months,
            version=version,
            built=now,
            modified_at=modified_at,
            checked=now,
        )
        self._edition = edition
        log.info("public board rebuilt: %d offices, %s", len(board.offices), version)
        return edition


def _retimed(old: Board, new: Board) -> Board:
    """``old`` with ``new``'s time, to tell whether anything else differs."""
    return Board(as_of=new.as_of, offices=old.offices, provinces=old.provinces)
