"""Public pages for residents, without sign-in (halaman publik): the status of blanks at
each kab/kota office, the index with search and the list by province. Served from the
process's cache (``web.public_cache``): no page waits for the database."""

import json
import re
from email.utils import parsedate_to_datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from blangko import availability, open_data
from blangko.availability import LEVEL_LABELS, Level
from blangko.errors import NotFound
from blangko.public import Board, PublicStatus
from web.deps import PageRoute, SessionDep
from web.public_cache import Page, PublicCache
from web.rate_limit import public_limit
from web.templating import templates

router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(public_limit)]
)
HOME = "/publik"
HTML = "text/html; charset=utf-8"
CSV = "text/csv; charset=utf-8"
MONTH_FILE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})\.(?P<format>csv|json)")
PROVINCE_CODE = re.compile(r"\d{2}")
OFFICE_CODE = re.compile(r"\d{2}\.\d{2}")
QUERY_MAX = 60
CACHED_PAGES_MAX = 2000  # every office, province and index page, and some searches
# Browsers and proxies may keep a page this long; then they ask again with its validators.
MAX_AGE = 60
SESSION_COOKIE = "blangko_session"
THRESHOLDS = {
    "available_days": availability.AVAILABLE_DAYS,
    "empty_days": availability.EMPTY_DAYS,
    "unknown_days": availability.UNKNOWN_AFTER_DAYS,
    "print_days": availability.PRINT_WINDOW_DAYS,
}


def cache_of(request: Request) -> PublicCache:
    cache: PublicCache = request.app.state.public
    return cache


@router.get("/publik")
async def index(request: Request) -> Response:
    """Search by kab/kota name (``q``) and the list by province (``provinsi``)."""
    query = " ".join(request.query_params.get("q", "").split()).lower()[:QUERY_MAX]
    province = request.query_params.get("provinsi", "")
    if province and not PROVINCE_CODE.fullmatch(province):
        province = ""
    edition = await cache_of(request).edition()
    key = f"index:{province}:{query}"
    cacheable = not query or len(edition.pages) < CACHED_PAGES_MAX
    if not cacheable:
        return _answer(
            request, _html(request, "public/index.html", _index(edition.board, province, query))
        )
    page = edition.page(
        key, HTML, lambda board: _html(request, "public/index.html", _index(board, province, query))
    )
    return _answer(request, page)


@router.get("/publik/data")
async def open_data_page(request: Request) -> Response:
    """What the open data holds, its schema and licence, and the history by month."""
    edition = await cache_of(request).edition()
    context = {
        "fields": open_data.FIELDS,
        "licence": open_data.LICENCE,
        "licence_url": open_data.LICENCE_URL,
        "attribution": open_data.ATTRIBUTION,
        "months": edition.months,
        "thresholds": THRESHOLDS,
    }
    page = edition.page("data", HTML, lambda _: _html(request, "public/data.html", context))
    return _answer(request, page)


@router.get("/publik/data.json")
async def open_data_json(request: Request) -> Response:
    edition = await cache_of(request).edition()
    page = edition.page(
        "data.json", "application/json", lambda board: _json(open_data.document(board))
    )
    return _answer(request, page, download=f"blangko-status-{_day(edition.board)}.json")


@router.get("/publik/data.csv")
async def open_data_csv(request: Request) -> Response:
    edition = await cache_of(request).edition()
    page = edition.page("data.csv", CSV, lambda board: open_data.current_csv(board).encode("utf-8"))
    return _answer(request, page, download=f"blangko-status-{_day(edition.board)}.csv")


@router.get("/publik/data/{name}")
def open_data_month(request: Request, name: str, session: SessionDep) -> Response:
    """The nightly snapshots of one month: ``YYYY-MM.csv`` or ``YYYY-MM.json``."""
    match = MONTH_FILE.fullmatch(name)
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise NotFound(
            f"Berkas '{name[:20]}' tidak ada. Riwayat bulanan bernama TTTT-BB.csv atau "
            "TTTT-BB.json, mis. 2026-11.csv."
        )
    year, month = int(match["year"]), int(match["month"])
    rows = open_data.month_rows(session=session, year=year, month=month)
    if not rows:
        raise NotFound(f"Belum ada riwayat untuk bulan {name[:7]}.")
    if match["format"] == "csv":
        body = open_data.to_csv(rows, leading=["date"]).encode("utf-8")
        return _answer(request, body, media_type=CSV, download=f"blangko-status-{name}")
    document = {
        "month": name[:7],
        "licence": open_data.LICENCE,
        "licence_url": open_data.LICENCE_URL,
        "attribution": open_data.ATTRIBUTION,
        "rows": rows,
    }
    return _answer(
        request, _json(document), media_type="application/json", download=f"blangko-status-{name}"
    )


@router.get("/publik/{code}")
async def office_page(request: Request, code: str) -> Response:
    """One office's status; a province's code lists its kab/kota."""
    if PROVINCE_CODE.fullmatch(code):
        return RedirectResponse(f"{HOME}?provinsi={code}", status_code=303)
    edition = await cache_of(request).edition()
    status = edition.board.office(code) if OFFICE_CODE.fullmatch(code) else None
    if status is None:
        raise NotFound(
            f"Kantor dengan kode '{code[:12]}' tidak ada di daftar kab/kota. Cari nama "
            "kabupaten atau kota Anda di halaman Status blangko KTP-el."
        )
    page = edition.page(
        f"office:{code}", HTML, lambda board: _html(request, "public/office.html", _office(status))
    )
    return _answer(request, page)


def _answer(
    request: Request, page: Page | bytes, media_type: str = HTML, download: str = ""
) -> Response:
    """The page, or 304 when the visitor's copy is current (``If-None-Match``, else
    ``If-Modified-Since``). Cached pages carry their ETag and Last-Modified; shared caches
    may keep them unless the visitor is signed in (their cookie is answered too)."""
    if isinstance(page, bytes):
        response = Response(page, media_type=media_type)
    else:
        headers = {
            "ETag": page.etag,
            "Last-Modified": page.last_modified,
            "Cache-Control": (
                f"private, max-age={MAX_AGE}"
                if SESSION_COOKIE in request.cookies
                else f"public, max-age={MAX_AGE}"
            ),
        }
        if _not_modified(request, page):
            return Response(status_code=304, headers=headers)
        response = Response(page.body, media_type=page.media_type, headers=headers)
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
        response.headers["Link"] = f'<{open_data.LICENCE_URL}>; rel="license"'
    return response


def _not_modified(request: Request, page: Page) -> bool:
    tags = request.headers.get("if-none-match")
    if tags is not None:
        wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return "*" in wanted or page.etag in wanted
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(page.last_modified)
    except (TypeError, ValueError):
        return False


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _day(board: Board) -> str:
    return open_data.snapshot_day(board).isoformat()


def _html(request: Request, name: str, context: dict[str, Any]) -> bytes:
    """A page rendered without the visitor's session: the same for everyone."""
    template = templates.get_template(name)
    context = {"request": request, "home": HOME, "user": None, "flash": None, **context}
    return template.render(context).encode()


def _office(status: PublicStatus) -> dict[str, Any]:
    week = (
        availability.week_of(status.shipment_expected_on) if status.shipment_expected_on else None
    )
    return {
        "o": status,
        "label": LEVEL_LABELS[status.status],
        "week": week,
        "shipment_late": status.shipment_expected_on is not None
        and status.shipment_expected_on < status.today,
        "thresholds": THRESHOLDS,
    }


def _index(board: Board, province: str, query: str) -> dict[str, Any]:
    counts: dict[str, dict[Level, int]] = {}
    for office in board.offices:
        row = counts.setdefault(office.province_code, dict.fromkeys(Level, 0))
        row[office.status] += 1
    words = query.split()
    if words:
        shown = [o for o in board.offices if all(w in o.name.lower() for w in words)]
    elif province:
        shown = [o for o in board.offices if o.province_code == province]
    else:
        shown = []
    return {
        "provinces": [
            (code, name, counts.get(code, {})) for code, name in sorted(board.provinces.items())
        ],
        "province": province,
        "province_name": board.provinces.get(province, ""),
        "query": query,
        "shown": shown,
        "labels": LEVEL_LABELS,
        "levels": list(Level),
        "thresholds": THRESHOLDS,
    }
