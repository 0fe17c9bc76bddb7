"""Open data (data terbuka): the public status of every kab/kota office as rows with a
documented schema, under CC BY 4.0, today's and, from the nightly snapshots, by month.
One definition of the fields (``FIELDS``) serves the JSON, the CSV, the history and the
page that documents them."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko import availability
from blangko.availability import Level
from blangko.models import Office, PublicSnapshot
from blangko.offices import WIB
from blangko.public import Board, PublicStatus

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.id"
ATTRIBUTION = "Blangko, Ditjen Dukcapil Kemendagri"


@dataclass(frozen=True)
class OpenField:
    """One column of the open data: its name, type as JSON gives it, and meaning."""

    name: str
    type: str
    description: str


FIELDS = [
    OpenField("code", "string", "Kode wilayah Kemendagri kab/kota, mis. 32.16"),
    OpenField("name", "string", "Nama kabupaten atau kota"),
    OpenField("kind", "string", "kabupaten atau kota"),
    OpenField("province_code", "string", "Kode provinsi Kemendagri, mis. 32"),
    OpenField("province", "string", "Nama provinsi"),
    OpenField(
        "status",
        "string",
        "Ketersediaan blangko: tersedia (stok ≥ "
        f"{availability.AVAILABLE_DAYS} hari permintaan kantor), terbatas "
        f"({availability.EMPTY_DAYS}–{availability.AVAILABLE_DAYS} hari), habis (kurang "
        f"dari {availability.EMPTY_DAYS} hari), tidak_diketahui (tidak melapor lebih dari "
        f"{availability.UNKNOWN_AFTER_DAYS} hari)",
    ),
    OpenField("last_report_on", "date|null", "Tanggal laporan harian terakhir (tanggal setempat)"),
    OpenField(
        "silent_since",
        "date|null",
        "Hari pertama tanpa laporan, bila kantor tidak melapor lebih dari "
        f"{availability.SILENT_AFTER_DAYS} hari",
    ),
    OpenField(
        "expected_wait_days",
        "integer|null",
        "Perkiraan lama menunggu (hari) bagi rekaman yang siap cetak: antrean dibagi rata-rata "
        f"cetak harian {availability.PRINT_WINDOW_DAYS} hari terakhir, dibulatkan ke atas; "
        "kosong bila habis atau tidak dapat diperkirakan",
    ),
    OpenField(
        "waiting_for_blanks",
        "boolean",
        "true bila stok habis dan pencetakan menunggu kiriman blangko",
    ),
    OpenField(
        "shipment_expected_on",
        "date|null",
        "Perkiraan tiba kiriman blangko paling awal yang sedang dalam perjalanan ke kantor",
    ),
]
FIELD_NAMES = [f.name for f in FIELDS]


def row(status: PublicStatus) -> dict[str, Any]:
    """One office as the open data gives it (JSON types: dates as ISO strings)."""
    return {
        "code": status.code,
        "name": status.name,
        "kind": status.kind,
        "province_code": status.province_code,
        "province": status.province,
        "status": str(status.status),
        "last_report_on": _iso(status.last_report_on),
        "silent_since": _iso(status.silent_since),
        "expected_wait_days": status.expected_wait_days,
        "waiting_for_blanks": status.waiting_for_blanks,
        "shipment_expected_on": _iso(status.shipment_expected_on),
    }


def document(board: Board) -> dict[str, Any]:
    """``/publik/data.json``: the date of the data, the licence and one row per office."""
    return {
        "as_of": board.as_of.replace(microsecond=0).isoformat(),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
        "schema": {f.name: {"type": f.type, "description": f.description} for f in FIELDS},
        "offices": [row(status) for status in board.offices],
    }


def to_csv(rows: list[dict[str, Any]], leading: list[str] | None = None) -> str:
    """Rows as CSV with a header (comma, UTF-8, ``true``/``false``, empty for null);
    ``leading`` columns (``as_of``, ``date``) come first."""
    names = [*(leading or []), *FIELD_NAMES]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for item in rows:
        writer.writerow({k: _csv_value(item.get(k)) for k in names})
    return out.getvalue()


def current_csv(board: Board) -> str:
    as_of = board.as_of.replace(microsecond=0).isoformat()
    return to_csv([{"as_of": as_of, **row(s)} for s in board.offices], leading=["as_of"])


# -- the nightly snapshot and its history ------------------------------------------------


def snapshot_day(board: Board) -> date:
    """The day a snapshot is filed under: the board's date in WIB."""
    return board.as_of.astimezone(ZoneInfo(WIB)).date()


def take_snapshot(*, session: Session, board: Board) -> int:
    """Keeps the board as the day's snapshot (a second one the same day replaces it);
    returns the number of offices kept."""
    on = snapshot_day(board)
    session.execute(sa.delete(PublicSnapshot).where(col(PublicSnapshot.taken_on) == on))
    session.add_all(
        PublicSnapshot(
            taken_on=on,
            office_code=s.code,
            status=str(s.status),
            last_report_on=s.last_report_on,
            expected_wait_days=s.expected_wait_days,
            waiting_for_blanks=s.waiting_for_blanks,
            shipment_expected_on=s.shipment_expected_on,
        )
        for s in board.offices
    )
    session.flush()
    return len(board.offices)


def snapshot_months(*, session: Session) -> list[str]:
    """The months (``YYYY-MM``) with at least one snapshot, newest first."""
    days = session.execute(sa.select(col(PublicSnapshot.taken_on)).distinct()).scalars()
    return sorted({f"{d.year:04d}-{d.month:02d}" for d in days}, reverse=True)


def month_rows(*, session: Session, year: int, month: int) -> list[dict[str, Any]]:
    """Every snapshot row of a month, by date and office, with the office's name and
    province as they are now."""
    first = date(year, month, 1)
    after = (first + timedelta(days=32)).replace(day=1)
    offices = {o.code: o for o in session.exec(select(Office)).all()}
    snapshots = session.exec(
        select(PublicSnapshot)
        .where(col(PublicSnapshot.taken_on) >= first, col(PublicSnapshot.taken_on) < after)
        .order_by(col(PublicSnapshot.taken_on), col(PublicSnapshot.office_code))
    ).all()
    rows = []
    for snap in snapshots:
        office = offices[snap.office_code]
        province = offices.get(office.province_code or "")
        rows.append(
            {
                "date": snap.taken_on.isoformat(),
                **row(
                    PublicStatus(
                        code=office.code,
                        name=office.name,
                        kind=str(office.kind),
                        province_code=office.province_code or "",
                        province=province.name if province else "",
                        today=snap.taken_on,
                        status=Level(snap.status),
                        last_report_on=snap.last_report_on,
                        silent_since=availability.silent_since(snap.last_report_on, snap.taken_on),
                        expected_wait_days=snap.expected_wait_days,
                        waiting_for_blanks=snap.waiting_for_blanks,
                        shipment_expected_on=snap.shipment_expected_on,
                    )
                ),
            }
        )
    return rows


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
