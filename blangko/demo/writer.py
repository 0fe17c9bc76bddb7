"""Writes a simulated history into the ledger in bulk.

Every movement gets its entries from the posting rules (``blangko.postings``) and is
checked against the running balances with ``postings.would_go_negative`` in stock-card
order (business date, then recording time), exactly the refusal ``ledger.post`` makes.
Rows then go in with the driver's executemany in chunks, all in the caller's transaction,
and the cached balances are set to the entry sums at the end. Posting 500,000 movements
one by one through ``ledger.post`` would take far longer than the demo is allowed."""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import SQLModel, col

from blangko import postings
from blangko.demo.records import Consignment, Count, History
from blangko.fmt import number
from blangko.models import (
    Account,
    AllocationRequest,
    DailyReport,
    Entry,
    Movement,
    MovementKind,
    Office,
    Shipment,
    Source,
    StockCount,
)
from blangko.offices import NATIONAL
from blangko.postings import AccountRef, Leg

CHUNK = 20_000
SQLITE_CACHE_KIB = 128 * 1024
Progress = Callable[[int, int], None]
TABLES: tuple[type[SQLModel], ...] = (
    Movement,
    Entry,
    DailyReport,
    Shipment,
    AllocationRequest,
    StockCount,
)
COLUMNS: dict[type[SQLModel], tuple[str, ...]] = {
    Movement: (
        "id", "kind", "office_code", "business_date", "recorded_at", "recorded_by", "source", "note"
    ),
    Entry: ("id", "movement_id", "from_account_id", "to_account_id", "quantity"),
    DailyReport: (
        "id", "office_code", "report_date", "version", "is_current", "print_requests", "printed",
        "spoiled_gagal_cetak", "spoiled_gagal_encode", "spoiled_rusak_fisik", "spoiled_lainnya",
        "backlog", "suket_issued", "ikd_activations", "movement_id", "recorded_at", "recorded_by",
    ),
    StockCount: (
        "id", "office_code", "counted_on", "counted_quantity", "book_quantity", "note",
        "movement_id", "recorded_at", "recorded_by",
    ),
    AllocationRequest: (
        "id", "office_code", "quantity", "reference", "note", "status", "requested_on",
        "created_at", "created_by", "approved_quantity", "decision_reason", "decided_at",
        "decided_by",
    ),
    Shipment: (
        "id", "from_office", "to_office", "quantity", "status", "reference", "dispatched_on",
        "expected_on", "received_on", "received_quantity", "shortfall_reason",
        "allocation_request_id", "dispatch_movement_id", "close_movement_id", "created_at",
    ),
}  # fmt: skip


def table_of(model: type[SQLModel]) -> sa.Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


class _Sink:
    """Rows of one table in a fixed column order. Values are converted with the bind
    processors SQLAlchemy itself would apply (dates, UTC datetimes, enums, booleans;
    from a memo, as most values repeat) and go in with the driver's executemany on
    SQLite and ``COPY`` on PostgreSQL, skipping SQLAlchemy's per-row parameter handling,
    which was most of the demo's time."""

    def __init__(self, conn: Connection, model: type[SQLModel]) -> None:
        self.conn = conn
        table = table_of(model)
        self.columns = COLUMNS[model]
        dialect = conn.dialect
        self.convert: list[tuple[int, Callable[[Any], Any]]] = []
        for i, name in enumerate(self.columns):
            column_type = table.c[name].type
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.convert.append((i, processor))
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(self.columns)}) "
            f"VALUES ({', '.join(mark for _ in self.columns)})"
        )
        self.copy = (
            f"COPY {table.name} ({', '.join(self.columns)}) FROM STDIN"
            if dialect.name == "postgresql"
            else None
        )
        self.rows: list[tuple[Any, ...]] = []
        self.memo: dict[tuple[int, Any], Any] = {}
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def _converted(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i, processor in self.convert:
            value = values[i]
            if value is not None:
                key = (i, value)
                if key not in self.memo:
                    self.memo[key] = processor(value)
                values[i] = self.memo[key]
        return tuple(values)

    def _copy(self, statement: str, batch: list[tuple[Any, ...]]) -> None:
        """psycopg's COPY, on the same connection and in the same transaction."""
        raw: Any = self.conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in batch:
                copy.write_row(row)

    def flush(self) -> None:
        for i in range(0, len(self.rows), CHUNK):
            batch = [self._converted(row) for row in self.rows[i : i + CHUNK]]
            if self.copy is None:
                self.conn.exec_driver_sql(self.sql, batch)
            else:
                self._copy(self.copy, batch)
        self.written += len(self.rows)
        self.rows = []
        self.memo.clear()  # recording times do not repeat across chunks


class SimulationBroken(RuntimeError):
    """The simulated history breaks a ledger rule (a bug in the simulator)."""


@dataclass(frozen=True)
class Written:
    movements: int
    entries: int
    daily_reports: int
    shipments: int
    requests: int
    stock_counts: int


@dataclass(frozen=True)
class Authors:
    """Who the demo records movements as: the planner for Ditjen's work, the demo
    officers for their own offices, nobody (system) elsewhere."""

    planner: int | None
    officers: dict[str, int]

    def of(self, office: str) -> int | None:
        return self.planner if office == NATIONAL else self.officers.get(office)


def _clock(zone: str) -> timedelta:
    offset = datetime(2024, 1, 1, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None  # Indonesian zones have fixed offsets, no daylight saving
    return offset


class _Writer:
    def __init__(
        self, conn: Connection, history: History, authors: Authors, progress: Progress | None
    ) -> None:
        self.conn = conn
        self.h = history
        self.authors = authors
        self.progress = progress
        self.calendar = history.calendar
        accounts = conn.execute(
            sa.select(col(Account.id), col(Account.office_code), col(Account.kind))
        )
        self.accounts: dict[AccountRef, int] = {
            (office, kind): id_ for id_, office, kind in accounts if id_ is not None
        }
        zones = dict(conn.execute(sa.select(col(Office.code), col(Office.timezone))).all())
        self.offset = {code: _clock(zone) for code, zone in zones.items()}
        self.next_id = {
            model.__tablename__: int(
                conn.execute(
                    sa.select(sa.func.coalesce(sa.func.max(table_of(model).c.id), 0))
                ).scalar_one()
            )
            + 1
            for model in TABLES
        }
        self.balances: dict[AccountRef, int] = defaultdict(int)
        self.sinks = {model: _Sink(conn, model) for model in TABLES}
        self.days = [self.calendar.day(t) for t in range(self.calendar.n_days)]
        self.dispatch_movement: dict[int, int] = {}
        self.close_movement: dict[int, int] = {}
        self.letter_ids: dict[int, int] = {}
        self.shipment_ids: dict[int, int] = {}

    # --- helpers ----------------------------------------------------------------------

    def _take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def at(self, t: int, office: str, hour: int, minute: int = 0) -> datetime:
        """UTC time of ``hour:minute`` in the office's own time zone on day ``t``."""
        local = datetime.combine(self.days[t], time(hour, minute % 60), tzinfo=UTC)
        return local - self.offset[office]

    def post(
        self,
        kind: MovementKind,
        office: str,
        t: int,
        legs: list[Leg],
        recorded_at: datetime,
        note: str,
    ) -> int:
        """One movement and its entries, refused like ``ledger.post`` would refuse it."""
        if postings.would_go_negative(self.balances, legs):
            raise SimulationBroken(
                f"{kind} of {office} on {self.days[t]} would take stock below zero"
            )
        movement_id = self._take("movements")
        self.sinks[Movement].add(
            (
                movement_id,
                kind,
                office,
                self.days[t],
                recorded_at,
                self.authors.of(office),
                Source.demo,
                note[:500],
            )
        )
        entries = self.sinks[Entry]
        for leg in legs:
            self.balances[leg.source] -= leg.quantity
            self.balances[leg.target] += leg.quantity
            entries.add(
                (
                    self._take("entries"),
                    movement_id,
                    self.accounts[leg.source],
                    self.accounts[leg.target],
                    leg.quantity,
                )
            )
        return movement_id

    def _copy(self, statement: str, batch: list[tuple[Any, ...]]) -> None:
        """psycopg's COPY, on the same connection and in the same transaction."""
        raw: Any = self.conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in batch:
                copy.write_row(row)

    def flush(self) -> None:
        """Inserts the rows gathered so far, parents before children (shipments last:
        they refer to movements of later days)."""
        for model in (Movement, Entry, DailyReport, StockCount):
            self.sinks[model].flush()

    # --- the whole history ------------------------------------------------------------

    def write(self) -> Written:
        h = self.h
        self._letters()
        procurements = _by_day((p.day, p) for p in h.procurements)
        dispatched = _by_day((c.dispatch_day, c) for c in h.consignments)
        closed = _by_day((c.close_day, c) for c in h.consignments if c.close_day is not None)
        counts = _by_day((c.day, c) for c in h.counts)
        for t in range(self.calendar.n_days):
            for count in counts.get(t, []):
                if count.opening:
                    self._count(t, count, hour=6)
            for n, p in enumerate(procurements.get(t, [])):
                self.post(
                    MovementKind.procurement,
                    NATIONAL,
                    t,
                    postings.procurement(NATIONAL, p.quantity),
                    self.at(t, NATIONAL, 7, n),
                    p.note,
                )
            for n, c in enumerate(closed.get(t, [])):
                self._close(t, c, n)
            for n, c in enumerate(dispatched.get(t, [])):
                self._dispatch(t, c, n)
            self._reports(t)
            for count in counts.get(t, []):
                if not count.opening:
                    self._count(t, count, hour=17)
            if len(self.sinks[Movement].rows) >= CHUNK:
                self.flush()
            if self.progress and (t % 30 == 0 or t == self.calendar.n_days - 1):
                self.progress(t + 1, self.calendar.n_days)
        self.flush()
        self._shipments()
        self.sinks[Shipment].flush()
        self._balances()
        return Written(
            movements=self.sinks[Movement].written,
            entries=self.sinks[Entry].written,
            daily_reports=self.sinks[DailyReport].written,
            shipments=self.sinks[Shipment].written,
            requests=self.sinks[AllocationRequest].written,
            stock_counts=self.sinks[StockCount].written,
        )

    def _letters(self) -> None:
        """Allocation requests go in first: shipments refer to them."""
        sink = self.sinks[AllocationRequest]
        for letter in self.h.letters:
            id_ = self._take("allocation_requests")
            self.letter_ids[letter.id] = id_
            decided = letter.decided_day
            sink.add(
                (
                    id_,
                    letter.office,
                    letter.quantity,
                    letter.reference,
                    letter.note,
                    letter.status,
                    self.days[letter.day],
                    self.at(letter.day, letter.office, 14, id_),
                    self.authors.of(letter.office),
                    letter.approved,
                    letter.reason,
                    None if decided is None else self.at(decided, NATIONAL, 9, 30),
                    None if decided is None else self.authors.planner,
                )
            )
        sink.flush()

    def _dispatch(self, t: int, c: Consignment, n: int) -> None:
        hour = 10 if c.sender == NATIONAL else 11
        self.shipment_ids[c.id] = self._take("shipments")
        self.dispatch_movement[c.id] = self.post(
            MovementKind.dispatch,
            c.sender,
            t,
            postings.dispatch(c.sender, c.quantity),
            self.at(t, c.sender, hour, n),
            c.note,
        )

    def _close(self, t: int, c: Consignment, n: int) -> None:
        shipment = self.shipment_ids[c.id]
        if c.received is None:  # called off before it left
            self.close_movement[c.id] = self.post(
                MovementKind.cancel,
                c.sender,
                t,
                postings.cancel(c.sender, c.quantity),
                self.at(t, c.sender, 8, 30 + n),
                f"Batal kirim #{shipment}: {c.cancel_reason}",
            )
            return
        note = f"Terima kiriman #{shipment} dari {c.sender}"
        if c.received < c.quantity:
            note += f"; kurang {number(c.quantity - c.received)}: {c.shortfall_reason}"
        self.close_movement[c.id] = self.post(
            MovementKind.receipt,
            c.receiver,
            t,
            postings.receipt(c.sender, c.receiver, c.quantity, c.received),
            self.at(t, c.receiver, 8, n),
            note,
        )

    def _reports(self, t: int) -> None:
        h = self.h
        open_today = h.reported[:, t]
        if not open_today.any():
            return
        day = self.days[t]
        note = f"Laporan harian {day.isoformat()}"
        sink = self.sinks[DailyReport]
        columns = (h.requests, h.printed, h.backlog, h.suket, h.ikd)
        requests, printed, backlog, suket, ikd = (a[:, t].tolist() for a in columns)
        spoiled = h.spoiled[:, t].tolist()
        for j, code in enumerate(h.kab_codes):
            if not open_today[j]:
                continue
            causes = spoiled[j]
            legs = postings.daily_report(code, printed[j], sum(causes))
            recorded_at = self.at(t, code, 16, j)
            movement = (
                self.post(MovementKind.daily_report, code, t, legs, recorded_at, note)
                if legs
                else None
            )
            sink.add(
                (
                    self._take("daily_reports"),
                    code,
                    day,
                    1,
                    True,
                    requests[j],
                    printed[j],
                    *causes,
                    backlog[j],
                    suket[j],
                    ikd[j],
                    movement,
                    recorded_at,
                    self.authors.of(code),
                )
            )

    def _count(self, t: int, count: Count, hour: int) -> None:
        sink = self.sinks[StockCount]
        recorded_at = self.at(t, count.office, hour, len(sink.rows))
        legs = postings.stock_count(count.office, count.book, count.counted)
        movement = (
            self.post(MovementKind.stock_count, count.office, t, legs, recorded_at, count.note)
            if legs
            else None
        )
        sink.add(
            (
                self._take("stock_counts"),
                count.office,
                self.days[t],
                count.counted,
                count.book,
                count.note,
                movement,
                recorded_at,
                self.authors.of(count.office),
            )
        )

    def _shipments(self) -> None:
        sink = self.sinks[Shipment]
        for c in self.h.consignments:
            received = c.received is not None and c.close_day is not None
            sink.add(
                (
                    self.shipment_ids[c.id],
                    c.sender,
                    c.receiver,
                    c.quantity,
                    c.status,
                    c.reference,
                    self.days[c.dispatch_day],
                    self.calendar.day(c.expected_day),
                    self.days[c.close_day or 0] if received else None,
                    c.received,
                    c.shortfall_reason,
                    self.letter_ids.get(c.request_id or 0),
                    self.dispatch_movement[c.id],
                    self.close_movement.get(c.id),
                    self.at(c.dispatch_day, c.sender, 10, c.id),
                )
            )

    def _balances(self) -> None:
        """Cached balances become the entry sums; the sequences move past our ids."""
        update = (
            sa.update(table_of(Account))
            .where(table_of(Account).c.id == sa.bindparam("account_id"))
            .values(balance=table_of(Account).c.balance + sa.bindparam("delta"))
        )
        rows = [
            {"account_id": self.accounts[ref], "delta": delta}
            for ref, delta in self.balances.items()
            if delta
        ]
        if rows:
            self.conn.execute(update, rows)
        if self.conn.dialect.name == "postgresql":
            for model in TABLES:
                table = model.__tablename__
                self.conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT MAX(id) FROM {table}), 1))"
                    )
                )


def _by_day(pairs: Iterator[tuple[int | None, Any]]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for day, item in pairs:
        if day is not None:
            grouped[day].append(item)
    return grouped


def write_history(
    *, conn: Connection, history: History, authors: Authors, progress: Progress | None = None
) -> Written:
    """Writes ``history`` into the ledger inside the caller's transaction."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:  # the entry indexes outgrow SQLite's default 2 MB page cache
        conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        return _Writer(conn, history, authors, progress).write()
    finally:
        if sqlite:
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
