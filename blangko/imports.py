"""CSV imports of daily reports and shipments, all or nothing.

Files come from Excel as used in Indonesia: UTF-8 with or without BOM, separated by
commas or semicolons, dates as ``2026-11-20`` or ``20/11/2026``, numbers possibly with
thousands dots (``1.250``). Every row is checked and written inside the caller's
transaction, each in a savepoint so that one bad row does not hide the next; if any row
fails, the import raises ``ImportRejected`` listing every error by line and column and
the caller's transaction rolls back, so nothing is written."""

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from blangko import checks, reports, shipments
from blangko.errors import DomainError, IdempotencyConflict, ValidationFailed
from blangko.ledger import Actor
from blangko.models import DailyReport, Office, Shipment

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_QUANTITY = 100_000_000
MAX_ERRORS = 200
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")

# Column → (description for messages, required?)
DAILY_COLUMNS: dict[str, tuple[str, bool]] = {
    "office": ("Kode kantor", True),
    "date": ("Tanggal", True),
    "print_requests": ("Permintaan cetak (PRR)", False),
    "printed": ("Jumlah tercetak", False),
    "spoiled_gagal_cetak": ("Rusak: gagal cetak", False),
    "spoiled_gagal_encode": ("Rusak: gagal encode", False),
    "spoiled_rusak_fisik": ("Rusak: rusak fisik", False),
    "spoiled_lainnya": ("Rusak: lainnya", False),
    "backlog": ("Sisa PRR belum tercetak", False),
    "suket_issued": ("Suket diterbitkan", False),
    "ikd_activations": ("Aktivasi IKD", False),
    "note": ("Catatan", False),
}
SHIPMENT_COLUMNS: dict[str, tuple[str, bool]] = {
    "from_office": ("Kantor pengirim", True),
    "to_office": ("Kantor penerima", True),
    "quantity": ("Jumlah blangko", True),
    "expected_on": ("Perkiraan tiba", True),
    "reference": ("Nomor surat", False),
    "dispatched_on": ("Tanggal kirim", False),
    "note": ("Catatan", False),
}
# Other spellings people put in a header line.
ALIASES = {
    "office_code": "office",
    "kode_kantor": "office",
    "kode": "office",
    "report_date": "date",
    "tanggal": "date",
}
# Service field names → CSV columns, for errors raised while writing.
_FIELD_COLUMNS = {"report_date": "date", "office": "office"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ImportRejected(ValidationFailed):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        shown = errors[:MAX_ERRORS]
        more = f" (ditampilkan {len(shown)} pertama)" if len(errors) > len(shown) else ""
        super().__init__(
            f"Impor dibatalkan: {len(errors)} kesalahan ditemukan{more}. Tidak ada baris yang "
            "disimpan. Perbaiki baris yang disebut lalu unggah ulang seluruh berkas.",
            errors=[{"row": e.row, "field": e.column, "message": e.message} for e in shown],
        )
        self.row_errors = errors


@dataclass
class _Row:
    line: int
    values: dict[str, str]


def read_rows(data: bytes, columns: dict[str, tuple[str, bool]]) -> list[_Row]:
    """Decodes and splits the file; a bad header or encoding rejects the whole file."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            f"Berkas terlalu besar (maksimal {MAX_BYTES // (1024 * 1024)} MB). Bagi menjadi "
            "beberapa berkas.",
            field="file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed(
            "Berkas bukan teks UTF-8. Di Excel pilih Simpan Sebagai → 'CSV UTF-8 (Comma "
            "delimited)'.",
            field="file",
        ) from error
    if "\x00" in text:
        raise ValidationFailed("Berkas berisi karakter NUL; bukan berkas CSV.", field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ValidationFailed(
            "Berkas kosong: baris judul kolom tidak ada.", field="file"
        ) from error
    names = [_column_name(h) for h in header]
    errors = [
        RowError(1, raw.strip() or f"kolom {i + 1}", _unknown(columns))
        for i, (raw, name) in enumerate(zip(header, names, strict=True))
        if name not in columns and raw.strip()
    ]
    errors += [
        RowError(1, name, f"Kolom '{name}' ({label}) wajib ada di baris judul.")
        for name, (label, required) in columns.items()
        if required and name not in names
    ]
    seen = [n for n in names if n in columns]
    errors += [
        RowError(1, name, f"Kolom '{name}' muncul lebih dari sekali.")
        for name in sorted({n for n in seen if seen.count(n) > 1})
    ]
    if errors:
        raise ImportRejected(errors)
    rows: list[_Row] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed(
                    f"Terlalu banyak baris (maksimal {MAX_ROWS:,}). Bagi menjadi beberapa "
                    "berkas.".replace(",", "."),
                    field="file",
                )
            values = {
                name: cells[i].strip() if i < len(cells) else ""
                for i, name in enumerate(names)
                if name in columns
            }
            rows.append(_Row(reader.line_num, values))
    except csv.Error as error:
        raise ImportRejected(
            [RowError(reader.line_num, "file", f"Baris tidak dapat dibaca: {error}.")]
        ) from error
    if not rows:
        raise ValidationFailed("Berkas tidak berisi baris data.", field="file")
    return rows


def _column_name(raw: str) -> str:
    name = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    return ALIASES.get(name, name)


def _unknown(columns: dict[str, tuple[str, bool]]) -> str:
    return "Kolom ini tidak dikenal. Kolom yang dipakai: " + ", ".join(columns) + "."


class _RowParser:
    """Reads typed values out of one row, collecting every error."""

    def __init__(self, row: _Row, columns: dict[str, tuple[str, bool]]) -> None:
        self.row = row
        self.columns = columns
        self.errors: list[RowError] = []

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.line, column, message))

    def _raw(self, column: str) -> str | None:
        value = self.row.values.get(column, "")
        if value:
            return value
        label, required = self.columns[column]
        if required:
            self.fail(column, f"{label} wajib diisi.")
        return None

    def quantity(self, column: str, *, minimum: int = 0) -> int:
        raw = self._raw(column)
        if raw is None:
            return 0
        label = self.columns[column][0]
        digits = re.sub(r"[.,]", "", raw) if _GROUPED.match(raw) else raw
        if not digits.isdigit() or not digits.isascii():
            self.fail(column, f"{label} harus bilangan bulat, bukan '{raw[:40]}'.")
            return 0
        value = int(digits)
        if value < minimum:
            self.fail(column, f"{label} harus lebih dari 0.")
        elif value > MAX_QUANTITY:
            self.fail(column, f"{label} terlalu besar (maksimal 100.000.000).")
        return value

    def day(self, column: str) -> date | None:
        raw = self._raw(column)
        if raw is None:
            return None
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        label = self.columns[column][0]
        self.fail(column, f"{label} '{raw[:40]}' tidak dikenali; tulis 2026-11-20 atau 20/11/2026.")
        return None

    def office(self, column: str, offices: dict[str, Office]) -> Office | None:
        raw = self._raw(column)
        if raw is None:
            return None
        office = offices.get(raw)
        if office is None:
            self.fail(
                column,
                f"Kantor dengan kode '{raw[:20]}' tidak ada. Pakai kode Kemendagri, misalnya 32.16.",
            )
        return office

    def text(self, column: str, max_length: int) -> str:
        value = self.row.values.get(column, "")
        if len(value) > max_length:
            label = self.columns[column][0]
            self.fail(column, f"{label} maksimal {max_length} karakter.")
        return value


def _offices(session: Session) -> dict[str, Office]:
    return {o.code: o for o in session.exec(select(Office)).all()}


def _row_key(key: str | None, kind: str, line: int) -> str | None:
    """A per-row idempotency key derived from the request's key."""
    if not key:
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"import:{kind}:{digest}:{line}"


def _write_rows(
    session: Session,
    parsed: list[tuple[_Row, Any]],
    write: Callable[[Any, str | None], Any],
    kind: str,
    idempotency_key: str | None,
    errors: list[RowError],
    quantity_column: str,
) -> list[Any]:
    """Writes each row in a savepoint; a refused row becomes an error, the rest go on."""
    written = []
    for row, item in parsed:
        try:
            with session.begin_nested():
                written.append(write(item, _row_key(idempotency_key, kind, row.line)))
        except IdempotencyConflict:
            raise
        except DomainError as error:
            # Errors without a field (insufficient stock) concern the quantity column.
            field = str(error.details.get("field", ""))
            column = _FIELD_COLUMNS.get(field, field) or quantity_column
            errors.append(RowError(row.line, column, error.message))
    return written


def import_daily_reports(
    *,
    session: Session,
    data: bytes,
    actor: Actor,
    may_write: Callable[[Office], bool],
    idempotency_key: str | None = None,
) -> list[DailyReport]:
    """Saves every row of a daily-report CSV, or none."""
    rows = read_rows(data, DAILY_COLUMNS)
    offices = _offices(session)
    errors: list[RowError] = []
    parsed: list[tuple[_Row, tuple[Office, date, reports.DailyFigures, str]]] = []
    first_line: dict[tuple[str, date], int] = {}
    for row in rows:
        p = _RowParser(row, DAILY_COLUMNS)
        office = p.office("office", offices)
        day = p.day("date")
        figures = reports.DailyFigures(
            print_requests=p.quantity("print_requests"),
            printed=p.quantity("printed"),
            spoiled_gagal_cetak=p.quantity("spoiled_gagal_cetak"),
            spoiled_gagal_encode=p.quantity("spoiled_gagal_encode"),
            spoiled_rusak_fisik=p.quantity("spoiled_rusak_fisik"),
            spoiled_lainnya=p.quantity("spoiled_lainnya"),
            backlog=p.quantity("backlog"),
            suket_issued=p.quantity("suket_issued"),
            ikd_activations=p.quantity("ikd_activations"),
        )
        note = p.text("note", 500)
        if office is not None and not may_write(office):
            p.fail("office", f"Anda tidak berhak mencatat untuk kantor {office.code}.")
        if office is not None and day is not None:
            earlier = first_line.setdefault((office.code, day), row.line)
            if earlier != row.line:
                p.fail("date", f"Kantor {office.code} tanggal ini sudah ada di baris {earlier}.")
        errors += p.errors
        if not p.errors and office is not None and day is not None:
            parsed.append((row, (office, day, figures, note)))

    def write(item: tuple[Office, date, reports.DailyFigures, str], key: str | None) -> DailyReport:
        office, day, figures, note = item
        return reports.save_daily_report(
            session=session,
            office_code=office.code,
            report_date=day,
            figures=figures,
            note=note,
            actor=actor,
            idempotency_key=key,
        )

    written = _write_rows(session, parsed, write, "daily", idempotency_key, errors, "printed")
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return written


def import_shipments(
    *,
    session: Session,
    data: bytes,
    actor: Actor,
    may_write: Callable[[Office], bool],
    idempotency_key: str | None = None,
) -> list[Shipment]:
    """Dispatches every row of a shipments CSV, or none."""
    rows = read_rows(data, SHIPMENT_COLUMNS)
    offices = _offices(session)
    errors: list[RowError] = []
    parsed: list[tuple[_Row, dict[str, Any]]] = []
    for row in rows:
        p = _RowParser(row, SHIPMENT_COLUMNS)
        sender = p.office("from_office", offices)
        receiver = p.office("to_office", offices)
        dispatched_on = p.day("dispatched_on")
        item: dict[str, Any] = {
            "quantity": p.quantity("quantity", minimum=1),
            "expected_on": p.day("expected_on"),
            "dispatched_on": dispatched_on,
            "reference": p.text("reference", 100),
            "note": p.text("note", 500),
        }
        if sender is not None and not may_write(sender):
            p.fail("from_office", f"Anda tidak berhak mengirim dari kantor {sender.code}.")
        if sender is not None and dispatched_on is not None:
            try:
                checks.not_future(sender, dispatched_on, "dispatched_on", "Tanggal kirim")
            except DomainError as error:
                p.fail("dispatched_on", error.message)
        errors += p.errors
        if not p.errors and sender is not None and receiver is not None:
            parsed.append((row, {"from_office": sender.code, "to_office": receiver.code, **item}))

    def write(item: dict[str, Any], key: str | None) -> Shipment:
        return shipments.dispatch(session=session, actor=actor, idempotency_key=key, **item)

    written = _write_rows(session, parsed, write, "shipment", idempotency_key, errors, "quantity")
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return written
