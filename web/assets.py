"""The pages' static files (web/static) and how long browsers keep them.

A page names each file by ``static_url``: its path plus ``?v=`` and the hash of its
content. A request carrying the current hash is for bytes that never change, so it is
cached for a year (``immutable``); a changed file gets a new hash, hence a new address,
and no visitor keeps the old copy. A request without the hash, or with an old one (a page
cached before an upgrade), is revalidated every time (``no-cache``, ETag)."""

import hashlib
from functools import cache
from pathlib import Path

from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
FAVICON = STATIC / "favicon.ico"
VERSIONED = "public, max-age=31536000, immutable"
UNVERSIONED = "no-cache"


@cache
def content_hash(path: str) -> str:
    """The first 12 hex digits of the SHA-256 of ``web/static/<path>``; read once per
    process (the files ship with the code and change only with an upgrade)."""
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """The address of a static file with its version: ``/static/css/blangko.css?v=…``.
    A path, not an absolute URL: public pages are cached and served to every host name."""
    return f"/static/{path}?v={content_hash(path)}"


class VersionedStatic(StaticFiles):
    """``StaticFiles`` that tells browsers how long to keep each answer."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = _lifetime(path, scope)
        return response


def _lifetime(path: str, scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    versions = [part[2:] for part in query.split("&") if part.startswith("v=")]
    try:
        current = content_hash(path)
    except (OSError, ValueError):
        return UNVERSIONED
    return VERSIONED if versions == [current] else UNVERSIONED


def favicon() -> Response:
    """``/favicon.ico``, which browsers ask for on every site whatever the page says."""
    return FileResponse(
        FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )
