"""The key that signs access tokens and session cookies.

There is no default in the source. ``BLANGKO_SECRET_KEY`` wins when it is set. Without
it, a SQLite installation keeps a random key in a file beside the database
(``blangko.db.secret``, mode 0600), made once: the first process to start writes it and
every later process (other web workers, the scheduler, the next start) reads the same
key. PostgreSQL has no such file, so there the key must be set. Changing the key ends
every token and session signed with the old one."""

import os
import secrets
import sys
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

MIN_BYTES = 32
# Published in the source of earlier versions: anyone could sign with it.
KNOWN_KEYS = frozenset({"dev-only-change-me-0123456789abcdef"})
HOW_TO_MAKE = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


class SecretKeyError(Exception):
    """The key is missing or too weak; the message says how to set one."""


def resolve_secret_key(configured: str | None, database_url: str) -> str:
    """The configured key, checked; else the SQLite database's key file, made if missing."""
    if configured is not None:
        return _checked(configured, "BLANGKO_SECRET_KEY")
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise SecretKeyError(
            "BLANGKO_SECRET_KEY belum diatur. Untuk PostgreSQL kunci rahasia wajib diatur: "
            f"buat dengan {HOW_TO_MAKE} lalu simpan hasilnya sebagai BLANGKO_SECRET_KEY "
            "di lingkungan server atau di berkas .env (sama untuk semua proses)."
        )
    if not url.database or url.database == ":memory:":
        return secrets.token_urlsafe(48)  # the database lives only as long as the process
    path = Path(url.database + ".secret")
    return _checked(_read_or_create(path), str(path))


def _checked(key: str, source: str) -> str:
    key = key.strip()
    size = len(key.encode())
    if key in KNOWN_KEYS:
        raise SecretKeyError(
            f"Kunci rahasia di {source} adalah nilai contoh yang diketahui umum. "
            f"Buat kunci baru dengan {HOW_TO_MAKE}."
        )
    if size < MIN_BYTES:
        raise SecretKeyError(
            f"Kunci rahasia di {source} terlalu pendek ({size} byte); minimal {MIN_BYTES} "
            f"byte. Buat kunci baru dengan {HOW_TO_MAKE}."
        )
    return key


def _read_or_create(path: Path) -> str:
    """Reads the key file; if there is none, writes a new key to a private temporary file
    and links it into place, which fails if another process got there first (then its key
    is read). Either way the file is never seen half written."""
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    fd, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text(encoding="ascii")
    finally:
        os.unlink(temporary)
    print(f"Kunci rahasia baru dibuat di {path} (mode 0600).", file=sys.stderr, flush=True)
    return key
