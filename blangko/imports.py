"""CSV imports of daily reports and shipments, all or nothing.

Files come from Excel as used in Indonesia: UTF-8 with or without BOM, separated by
commas or semicolons, dates as ``2026-11-20`` or ``20/11/2026``, numbers possibly with
thousands dots (``1.250``). Values are checked with the definitions every front door uses
(``blangko.fields``). If any row fails, the import raises ``ImportRejected`` listing every
error by row (line number, header = 1) and column, and nothing is written.

A daily-report import is read, checked and planned in a read transaction, outside SQLite's
write queue, and then posted in one short write transaction with bulk statements
(``import_daily_reports``): a planner's 50,000 rows would otherwise hold the queue, and
stop every officer's save, for as long as the rows take one by one. What the plan read
and another writer may change meanwhile (stock balances, the current version of a day's
report) is read again inside the write transaction. A shipment import dispatches its rows
one by one in the caller's transaction, each in a savepoint so that one bad row does not
hide the next."""

import csv
import hashlib
import io
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from blangko import checks, fields, idempotency, postings, reports, shipments
from blangko.db import session_scope
from blangko.errors import DomainError, IdempotencyConflict, InvalidState, ValidationFailed
from blangko.fmt import number
from blangko.ledger import ACCOUNTS, ENTRIES, Actor, account_ids
from blangko.models import AccountKind, DailyReport, Movement, MovementKind, Office, utcnow
from blangko.stock import lock_stock, refuse_national

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ERRORS = 200
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")

# Column → (description for messages, required?)
DAILY_COLUMNS: dict[str, tuple[str, bool]] = {
    "office": ("Kode kantor", True),
    "date": ("Tanggal", True),
    **{figure.name: (figure.label, False) for figure in fields.DAILY_FIGURES},
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
        errors = sorted(errors, key=lambda e: e.row)
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
    """Decodes and splits the file; a bad header, encoding or row shape rejects it whole.

    A row whose cell runs over a line break (a quote left open swallows the rows after
    it) and a row with cells beyond the header's columns are refused with their row
    number: read as they are, a note would hold other rows, or a value would be lost."""
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
    last_line = reader.line_num
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed(
                    f"Terlalu banyak baris (maksimal {MAX_ROWS:,}). Bagi menjadi beberapa "
                    "berkas.".replace(",", "."),
                    field="file",
                )
            problem = _shape_error(line, cells, names, columns, last_line > line)
            if problem is not None:
                errors.append(problem)
                continue
            values = {
                name: cells[i].strip() if i < len(cells) else ""
                for i, name in enumerate(names)
                if name in columns
            }
            rows.append(_Row(line, values))
    except csv.Error as error:
        raise ImportRejected(
            [*errors, RowError(last_line + 1, "file", f"Baris tidak dapat dibaca: {error}.")]
        ) from error
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ValidationFailed("Berkas tidak berisi baris data.", field="file")
    return rows


def _shape_error(
    line: int,
    cells: list[str],
    names: list[str],
    columns: dict[str, tuple[str, bool]],
    spans_lines: bool,
) -> RowError | None:
    if spans_lines or any("\n" in c or "\r" in c for c in cells):
        return RowError(
            line,
            "file",
            'Baris ini menyambung ke baris berikutnya: ada tanda kutip (") yang tidak '
            "ditutup, atau sel berisi pindah baris. Tutup tanda kutipnya dan tulis setiap "
            "sel dalam satu baris.",
        )
    for i, cell in enumerate(cells):
        if cell.strip() and (i >= len(names) or names[i] not in columns):
            return RowError(
                line,
                f"kolom {i + 1}",
                f"Baris ini berisi sel di luar kolom baris judul (kolom ke-{i + 1}: "
                f"'{cell.strip()[:40]}'). Hapus sel itu atau periksa pemisah kolom "
                "(koma atau titik koma) di baris ini.",
            )
    return None


def _column_name(raw: str) -> str:
    name = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    return ALIASES.get(name, name)


def _unknown(columns: dict[str, tuple[str, bool]]) -> str:
    return "Kolom ini tidak dikenal. Kolom yang dipakai: " + ", ".join(columns) + "."


class _RowParser:
    """Reads typed values out of one row with ``blangko.fields``, collecting every error."""

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
        try:
            return fields.parse_quantity(raw, field=column, label=label, minimum=minimum)
        except ValidationFailed as error:
            self.fail(column, f"{error.message} Tertulis: '{raw[:40]}'.")
            return 0

    def day(self, column: str) -> date | None:
        raw = self._raw(column)
        if raw is None:
            return None
        label = self.columns[column][0]
        for fmt in _DATE_FORMATS:
            try:
                value = datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            try:
                return fields.check_day(value, field=column, label=label)
            except ValidationFailed as error:
                self.fail(column, error.message)
                return None
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
        label = self.columns[column][0]
        try:
            return fields.check_text(value, field=column, label=label, max_length=max_length)
        except ValidationFailed as error:
            self.fail(column, error.message)
            return ""

    def check(self, column: str, rule: Callable[..., object], *args: Any) -> None:
        """Runs a service's own check and files its refusal under ``column``."""
        try:
            rule(*args)
        except DomainError as error:
            self.fail(column, error.message)


def _offices(session: Session) -> dict[str, Office]:
    return {o.code: o for o in session.exec(select(Office)).all()}


def _file_payload(data: bytes) -> dict[str, str]:
    """What an import's ``Idempotency-Key`` covers: the file's bytes."""
    return {"file_sha256": hashlib.sha256(data).hexdigest()}


# --- daily reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class DailyRow:
    """One checked row of a daily-report file."""

    line: int
    office_code: str
    report_date: date
    figures: reports.DailyFigures
    note: str


def check_daily_reports(
    *, session: Session, data: bytes, may_write: Callable[[Office], bool]
) -> tuple[list[DailyRow], list[RowError]]:
    """Reads and checks every row of a daily-report CSV (reads only): the rows that pass
    and the errors of the others. A file that cannot be read is refused whole."""
    rows = read_rows(data, DAILY_COLUMNS)
    offices = _offices(session)
    errors: list[RowError] = []
    checked: list[DailyRow] = []
    first_line: dict[tuple[str, date], int] = {}
    for row in rows:
        p = _RowParser(row, DAILY_COLUMNS)
        office = p.office("office", offices)
        day = p.day("date")
        figures = reports.DailyFigures(**{name: p.quantity(name) for name in fields.FIGURE_NAMES})
        note = p.text("note", fields.NOTE_MAX_LENGTH)
        if office is not None and not may_write(office):
            p.fail("office", f"Anda tidak berhak mencatat untuk kantor {office.code}.")
        elif office is not None:
            p.check("office", refuse_national, office, "Laporan harian")
        if office is not None and day is not None:
            p.check("date", checks.not_future, office, day, "date", "Tanggal laporan")
            earlier = first_line.setdefault((office.code, day), row.line)
            if earlier != row.line:
                p.fail("date", f"Kantor {office.code} tanggal ini sudah ada di baris {earlier}.")
        errors += p.errors
        if not p.errors and office is not None and day is not None:
            checked.append(DailyRow(row.line, office.code, day, figures, note))
    return checked, errors


REPORTS = DailyReport.__table__  # type: ignore[attr-defined]
MOVEMENTS = Movement.__table__  # type: ignore[attr-defined]
_CHUNK = 5_000  # ids per IN (...) list, well inside SQLite's limit of bound variables
_Transfer = tuple[int, int, int]  # (from account id, to account id, quantity)


@dataclass(frozen=True)
class _Current:
    """The current version of one office's report for one day."""

    id: int
    version: int
    movement_id: int | None


@dataclass(frozen=True)
class _Book:
    """What the import's rows depend on and another writer may change: the current
    reports of their days, the entries of those reports' movements, and the highest report
    id when this was read (a later one may be a new version of one of these days)."""

    last_report_id: int
    current: dict[tuple[str, date], _Current]
    entries: dict[int, list[_Transfer]]  # movement id → its entries


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _read_book(session: Session, rows: list[DailyRow]) -> _Book:
    last = session.execute(sa.select(sa.func.coalesce(sa.func.max(REPORTS.c.id), 0))).scalar_one()
    days = {(r.office_code, r.report_date) for r in rows}
    if not days:
        return _Book(int(last), {}, {})
    current: dict[tuple[str, date], _Current] = {}
    for offices in _chunks(sorted({office for office, _ in days})):
        found = session.execute(
            sa.select(
                REPORTS.c.id,
                REPORTS.c.office_code,
                REPORTS.c.report_date,
                REPORTS.c.version,
                REPORTS.c.movement_id,
            ).where(
                REPORTS.c.is_current.is_(True),
                REPORTS.c.office_code.in_(offices),
                REPORTS.c.report_date.between(min(d for _, d in days), max(d for _, d in days)),
            )
        )
        for id_, office, day, version, movement_id in found:
            if (office, day) in days:
                current[(office, day)] = _Current(id_, version, movement_id)
    entries: dict[int, list[_Transfer]] = defaultdict(list)
    movement_ids = sorted(c.movement_id for c in current.values() if c.movement_id is not None)
    for ids in _chunks(movement_ids):
        found = session.execute(
            sa.select(
                ENTRIES.c.movement_id,
                ENTRIES.c.from_account_id,
                ENTRIES.c.to_account_id,
                ENTRIES.c.quantity,
            )
            .where(ENTRIES.c.movement_id.in_(ids))
            .order_by(ENTRIES.c.id)
        )
        for movement_id, source, target, quantity in found:
            entries[movement_id].append((source, target, quantity))
    return _Book(int(last), current, dict(entries))


def _book_still_holds(session: Session, rows: list[DailyRow], book: _Book) -> bool:
    """Whether no report of the import's days was saved since ``book`` was read (reports
    are only ever added: a new version is a new row)."""
    days = {(r.office_code, r.report_date) for r in rows}
    newer = session.execute(
        sa.select(REPORTS.c.office_code, REPORTS.c.report_date).where(
            REPORTS.c.id > book.last_report_id
        )
    )
    return not any((office, day) in days for office, day in newer)


def _accounts(session: Session, rows: list[DailyRow]) -> dict[tuple[str, AccountKind], int]:
    kinds = (AccountKind.stock, AccountKind.printed, AccountKind.spoiled)
    refs = {(r.office_code, kind) for r in rows for kind in kinds}
    return account_ids(session=session, refs=refs)


@dataclass(frozen=True)
class _Posting:
    """What one row posts: the reversal of the day's current version, if any, and the
    new version's own entries."""

    row: DailyRow
    previous: _Current | None
    reversal: list[_Transfer]
    transfers: list[_Transfer]


def _plan(
    rows: list[DailyRow], book: _Book, accounts: dict[tuple[str, AccountKind], int]
) -> list[_Posting]:
    plan = []
    for row in rows:
        previous = book.current.get((row.office_code, row.report_date))
        reversal = []
        if previous is not None and previous.movement_id is not None:
            reversal = [(b, a, q) for a, b, q in book.entries.get(previous.movement_id, [])]
        legs = postings.daily_report(row.office_code, row.figures.printed, row.figures.spoiled)
        transfers = [(accounts[leg.source], accounts[leg.target], leg.quantity) for leg in legs]
        plan.append(_Posting(row, previous, reversal, transfers))
    return plan


def _stock_errors(
    plan: list[_Posting], accounts: dict[tuple[str, AccountKind], int], balances: dict[int, int]
) -> list[RowError]:
    """The rows that would take an office's stock below zero, posted in file order as
    one by one (a refused row is left out, so the next row's message is exact)."""
    running = dict(balances)
    errors = []
    for posting in plan:
        stock = accounts[(posting.row.office_code, AccountKind.stock)]
        change = 0
        for source, target, quantity in [*posting.reversal, *posting.transfers]:
            change += (quantity if target == stock else 0) - (quantity if source == stock else 0)
        if running[stock] + change < 0:
            errors.append(
                RowError(
                    posting.row.line,
                    "printed",
                    f"Stok blangko kantor {posting.row.office_code} tinggal "
                    f"{number(running[stock])} keping, tidak cukup untuk {number(-change)} "
                    "keping. Periksa angka yang diisi, atau catat dulu penerimaan kiriman yang "
                    "sudah tiba.",
                )
            )
            continue
        running[stock] += change
    return errors


def _stock_balances(
    session: Session, rows: list[DailyRow], accounts: dict[tuple[str, AccountKind], int]
) -> dict[int, int]:
    """The stock balances of the rows' offices, by account id."""
    stock_ids = sorted({accounts[(r.office_code, AccountKind.stock)] for r in rows})
    balances: dict[int, int] = {}
    for ids in _chunks(stock_ids):
        found = session.execute(
            sa.select(ACCOUNTS.c.id, ACCOUNTS.c.balance).where(ACCOUNTS.c.id.in_(ids))
        )
        balances.update({id_: int(balance) for id_, balance in found})
    return balances


MOVEMENT_COLUMNS = (
    "id", "kind", "office_code", "business_date", "recorded_at", "recorded_by", "source", "note",
    "idempotency_key", "reverses_id",
)  # fmt: skip
ENTRY_COLUMNS = ("id", "movement_id", "from_account_id", "to_account_id", "quantity")
REPORT_COLUMNS = (
    "id", "office_code", "report_date", "version", "is_current", *fields.FIGURE_NAMES,
    "recorded_at", "recorded_by", "movement_id",
)  # fmt: skip


class _Values:
    """Converts a table's values for the driver as SQLAlchemy would (dates, UTC times,
    enums, booleans; from a memo, as most values repeat), so that the rows can go to the
    driver's ``executemany`` as they are. Done outside the write transaction."""

    def __init__(self, session: Session, table: sa.Table, columns: Sequence[str]) -> None:
        dialect = session.get_bind().dialect
        self.processors = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
        self.memo: dict[tuple[int, Any], Any] = {}
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join(mark for _ in columns)})"
        )

    def __call__(self, *values: Any) -> tuple[Any, ...]:
        """``values`` of the columns after the first (the id, given when written)."""
        out = []
        for i, (value, processor) in enumerate(zip(values, self.processors[1:], strict=True)):
            if value is not None and processor is not None:
                key = (i, value)
                if key not in self.memo:
                    self.memo[key] = processor(value)
                value = self.memo[key]
            out.append(value)
        return tuple(out)


@dataclass(frozen=True)
class PreparedDaily:
    """Everything a daily-report import writes, ready for bulk statements except the new
    rows' ids; made outside the write transaction from ``book``."""

    rows: list[DailyRow]
    book: _Book
    accounts: dict[tuple[str, AccountKind], int]
    plan: list[_Posting]
    movements: list[tuple[Any, ...]]  # MOVEMENT_COLUMNS without the id
    entries: list[tuple[int, int, int, int]]  # (movement index, from, to, quantity)
    reports: list[tuple[tuple[Any, ...], int | None]]  # (REPORT_COLUMNS between, movement index)
    superseded: list[int]  # report ids that stop being current
    changes: dict[int, int]  # account id → balance change
    sql: tuple[str, str, str]  # INSERT statements: movements, entries, reports


def prepare_daily_reports(
    *,
    session: Session,
    rows: list[DailyRow],
    book: _Book,
    actor: Actor,
    idempotency_key: str | None,
) -> PreparedDaily:
    """The rows of every statement the import makes: each day's current version is
    reversed and the new version posted, as ``reports.save_daily_report`` does one at a
    time."""
    accounts = _accounts(session, rows)
    plan = _plan(rows, book, accounts)
    now = utcnow()
    movement_values = _Values(session, MOVEMENTS, MOVEMENT_COLUMNS)
    report_values = _Values(session, REPORTS, REPORT_COLUMNS[:-1])
    movements: list[tuple[Any, ...]] = []
    entries: list[tuple[int, int, int, int]] = []
    changes: dict[int, int] = defaultdict(int)

    def add(posting: _Posting, kind: MovementKind, note: str, reverses: int | None) -> int:
        index = len(movements)
        movements.append(
            movement_values(
                kind,
                posting.row.office_code,
                posting.row.report_date,
                now,
                actor.user_id,
                actor.source,
                note,
                idempotency_key if reverses is None else None,
                reverses,
            )
        )
        for source, target, quantity in posting.transfers if reverses is None else posting.reversal:
            entries.append((index, source, target, quantity))
            changes[source] -= quantity
            changes[target] += quantity
        return index

    # Reversals first, so that each comes before its correction on the stock card.
    for p in plan:
        if p.reversal:
            assert p.previous is not None
            day = p.row.report_date.isoformat()
            note = f"Koreksi laporan harian {day} (versi {p.previous.version})"
            add(p, MovementKind.reversal, note, p.previous.movement_id)
    reports = []
    for p in plan:
        movement = None
        if p.transfers:
            note = p.row.note or f"Laporan harian {p.row.report_date.isoformat()}"
            movement = add(p, MovementKind.daily_report, note, None)
        values = report_values(
            p.row.office_code,
            p.row.report_date,
            p.previous.version + 1 if p.previous else 1,
            True,
            *(getattr(p.row.figures, name) for name in fields.FIGURE_NAMES),
            now,
            actor.user_id,
        )
        reports.append((values, movement))
    return PreparedDaily(
        rows=rows,
        book=book,
        accounts=accounts,
        plan=plan,
        movements=movements,
        entries=entries,
        reports=reports,
        superseded=[p.previous.id for p in plan if p.previous is not None],
        changes={k: v for k, v in changes.items() if v},
        sql=(
            movement_values.sql,
            _Values(session, ENTRIES, ENTRY_COLUMNS).sql,
            _Values(session, REPORTS, REPORT_COLUMNS).sql,
        ),
    )


def _new_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """``count`` new primary keys of ``table``: from its sequence on PostgreSQL, after the
    highest on SQLite (whose writers are serial, so no one else takes them)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        series = sa.func.generate_series(1, count).table_valued("n")
        return list(
            session.execute(sa.select(sa.func.nextval(sequence)).select_from(series)).scalars()
        )
    highest = session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(int(highest) + 1, int(highest) + 1 + count))


def post_daily_reports(
    *,
    session: Session,
    prepared: PreparedDaily,
    actor: Actor,
    idempotency_key: str | None,
    payload: dict[str, str],
) -> list[int]:
    """Writes a prepared import in the caller's write transaction, after checking again
    what may have changed since it was prepared; returns the new reports' ids."""
    rows = prepared.rows
    for office in sorted({r.office_code for r in rows}):
        # PostgreSQL: the offices' other writers wait (in code order: no deadlock).
        lock_stock(session=session, office_code=office)
    if not _book_still_holds(session, rows, prepared.book):
        # A day of the file was reported meanwhile: its new version is the one to reverse.
        book = _read_book(session, rows)
        prepared = prepare_daily_reports(
            session=session, rows=rows, book=book, actor=actor, idempotency_key=idempotency_key
        )
    balances = _stock_balances(session, rows, prepared.accounts)
    errors = _stock_errors(prepared.plan, prepared.accounts, balances)
    if errors:
        raise ImportRejected(errors)

    connection = session.connection()
    movement_ids = _new_ids(session, MOVEMENTS, len(prepared.movements))
    entry_ids = _new_ids(session, ENTRIES, len(prepared.entries))
    report_ids = _new_ids(session, REPORTS, len(prepared.reports))
    movements_sql, entries_sql, reports_sql = prepared.sql
    if prepared.movements:
        connection.exec_driver_sql(
            movements_sql,
            [(id_, *values) for id_, values in zip(movement_ids, prepared.movements, strict=True)],
        )
    if prepared.entries:
        connection.exec_driver_sql(
            entries_sql,
            [
                (id_, movement_ids[movement], source, target, quantity)
                for id_, (movement, source, target, quantity) in zip(
                    entry_ids, prepared.entries, strict=True
                )
            ],
        )
    for ids in _chunks(prepared.superseded):
        session.execute(sa.update(REPORTS).where(REPORTS.c.id.in_(ids)).values(is_current=False))
    connection.exec_driver_sql(
        reports_sql,
        [
            (id_, *values, None if movement is None else movement_ids[movement])
            for id_, (values, movement) in zip(report_ids, prepared.reports, strict=True)
        ],
    )
    session.execute(
        sa.update(ACCOUNTS)
        .where(ACCOUNTS.c.id == sa.bindparam("account"))
        .values(balance=ACCOUNTS.c.balance + sa.bindparam("change")),
        [{"account": a, "change": c} for a, c in sorted(prepared.changes.items())],
    )
    # The ledger's invariant 2 (no stock below zero), checked again after the writes.
    balances = _stock_balances(session, rows, prepared.accounts)
    if any(balance < 0 for balance in balances.values()):
        raise InvalidState("Impor dibatalkan: stok sebuah kantor akan menjadi negatif.")
    idempotency.remember(session, idempotency_key, "import_daily_reports", payload, report_ids[0])
    logger.info(
        "import of daily reports: %d rows, %d movements, %d corrections, user %s",
        len(prepared.reports),
        len(prepared.movements),
        len(prepared.superseded),
        actor.user_id,
    )
    return report_ids


def _replayed_reports(session: Session, first_id: int) -> list[int]:
    """The reports of the import whose first report is ``first_id``: one recording time
    and one author for all of them."""
    first = session.get_one(DailyReport, first_id)
    author = REPORTS.c.recorded_by
    found = session.execute(
        sa.select(REPORTS.c.id)
        .where(
            REPORTS.c.id >= first_id,
            REPORTS.c.recorded_at == first.recorded_at,
            author.is_(None) if first.recorded_by is None else author == first.recorded_by,
        )
        .order_by(REPORTS.c.id)
    )
    return [int(id_) for id_ in found.scalars()]


def import_daily_reports(
    *,
    data: bytes,
    actor: Actor,
    may_write: Callable[[Office], bool],
    idempotency_key: str | None = None,
) -> list[int]:
    """Saves every row of a daily-report CSV, or none; returns the new reports' ids.

    Unlike the other services this runs its own two transactions: the rows are read,
    checked and planned in a read transaction, then posted in one write transaction
    (``post_daily_reports``), so that the write queue is held only for the bulk
    statements. The same ``idempotency_key`` with the same file returns the first
    import's ids; with another file it is refused."""
    payload = _file_payload(data)
    operation = "import_daily_reports"
    with session_scope(write=False) as reader:
        if (done := idempotency.replay(reader, idempotency_key, operation, payload)) is not None:
            return _replayed_reports(reader, done)
        rows, errors = check_daily_reports(session=reader, data=data, may_write=may_write)
        prepared = prepare_daily_reports(
            session=reader,
            rows=rows,
            book=_read_book(reader, rows),
            actor=actor,
            idempotency_key=idempotency_key,
        )
        # The stock as it stands now, to report every error at once; checked again below.
        balances = _stock_balances(reader, rows, prepared.accounts)
        errors += _stock_errors(prepared.plan, prepared.accounts, balances)
        if errors:
            raise ImportRejected(errors)
    with session_scope(write=True) as writer:
        if (done := idempotency.replay(writer, idempotency_key, operation, payload)) is not None:
            return _replayed_reports(writer, done)
        return post_daily_reports(
            session=writer,
            prepared=prepared,
            actor=actor,
            idempotency_key=idempotency_key,
            payload=payload,
        )


# --- shipments --------------------------------------------------------------------------


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


def import_shipments(
    *,
    session: Session,
    data: bytes,
    actor: Actor,
    may_write: Callable[[Office], bool],
    idempotency_key: str | None = None,
) -> list[int]:
    """Dispatches every row of a shipments CSV, or none; returns the shipments' ids."""
    payload = _file_payload(data)
    # The whole file first: the same key with another file is refused before any row.
    replayed = idempotency.replay(session, idempotency_key, "import_shipments", payload)
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
            "reference": p.text("reference", fields.REFERENCE_MAX_LENGTH),
            "note": p.text("note", fields.NOTE_MAX_LENGTH),
        }
        if sender is not None and not may_write(sender):
            p.fail("from_office", f"Anda tidak berhak mengirim dari kantor {sender.code}.")
        if sender is not None and dispatched_on is not None:
            p.check(
                "dispatched_on",
                checks.not_future,
                sender,
                dispatched_on,
                "dispatched_on",
                "Tanggal kirim",
            )
        errors += p.errors
        if not p.errors and sender is not None and receiver is not None:
            parsed.append((row, {"from_office": sender.code, "to_office": receiver.code, **item}))

    def write(item: dict[str, Any], key: str | None) -> int:
        shipment = shipments.dispatch(session=session, actor=actor, idempotency_key=key, **item)
        assert shipment.id is not None
        return shipment.id

    written = _write_rows(session, parsed, write, "shipment", idempotency_key, errors, "quantity")
    if errors:
        raise ImportRejected(errors)
    if replayed is None and written:
        idempotency.remember(session, idempotency_key, "import_shipments", payload, written[0])
    return written
