"""``blangko demo``: simulate a national history, write it into an empty ledger in one
transaction, and create the demo users."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, select

from blangko.db import get_engine, session_scope
from blangko.demo.records import History, Place
from blangko.demo.summary import normal_monthly_prints
from blangko.demo.supply import simulate
from blangko.demo.writer import Authors, Written, table_of, write_history
from blangko.errors import InvalidState, ValidationFailed
from blangko.fmt import day
from blangko.models import (
    AllocationRequest,
    DailyReport,
    Movement,
    Office,
    OfficeKind,
    Role,
    Shipment,
    StockCount,
    User,
)
from blangko.offices import NATIONAL, WIB, seed_offices
from blangko.users import create_user

# From here the history holds the Aug–Sep 2022 and late-July 2023 national stock-outs;
# by default it runs on to yesterday, so that forecasts and alerts speak of today.
DEFAULT_START = date(2022, 1, 1)
DEFAULT_SEED = 2024

# Demo accounts with well-known passwords: for trying the system only.
DEMO_USERS: tuple[tuple[str, Role, str | None, str], ...] = (
    ("perencana", Role.planner, None, "demo-perencana"),
    ("petugas.bekasi", Role.officer, "32.16", "demo-bekasi"),
    ("petugas.medan", Role.officer, "12.71", "demo-medan"),
)

Progress = Callable[[str, int, int], None]
LEDGER_TABLES: tuple[type[SQLModel], ...] = (
    Movement,
    DailyReport,
    AllocationRequest,
    Shipment,
    StockCount,
)  # phase ("simulate" or "write"), done, total


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    office_code: str | None
    office_name: str | None
    password: str
    created: bool


@dataclass(frozen=True)
class DemoResult:
    skipped: bool
    ledger_rows: int  # rows already in the ledger tables when the demo was asked for
    offices: int = 0
    start: date | None = None
    end: date | None = None
    today: date | None = None
    written: Written | None = None
    users: tuple[DemoUser, ...] = ()
    normal_monthly_prints: float | None = None  # national scale
    seconds: float = 0.0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1 if self.start and self.end else 0

    @property
    def ends_before_today(self) -> bool:
        return bool(self.end and self.today and self.end < self.today - timedelta(days=1))


def ledger_rows(session: Session) -> int:
    """Rows in the tables a demo would write to; zero means the ledger is empty."""
    total = 0
    for model in LEDGER_TABLES:
        total += int(
            session.execute(sa.select(sa.func.count()).select_from(table_of(model))).scalar_one()
        )
    return total


def history_end(start: date, years: int | None, today: date) -> date:
    """``years`` years from ``start`` (all the way when None), but no later than
    yesterday (Jakarta time)."""
    if years is None:
        return today - timedelta(days=1)
    try:
        after = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        after = start.replace(year=start.year + years, day=28) + timedelta(days=1)
    return min(after - timedelta(days=1), today - timedelta(days=1))


def choose_places(session: Session, codes: list[str] | None) -> list[Place]:
    """National, the provinces and the kab/kota to simulate (all of them by default)."""
    offices = list(session.exec(select(Office)).all())
    by_code = {o.code: o for o in offices}
    if codes:
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise ValidationFailed(
                f"Kode kantor tidak dikenal: {', '.join(unknown)}. Pakai kode Kemendagri "
                "kabupaten/kota, misalnya 32.16,12.71.",
                field="offices",
            )
        not_kab = [
            c for c in codes if by_code[c].kind not in (OfficeKind.kabupaten, OfficeKind.kota)
        ]
        if not_kab:
            raise ValidationFailed(
                f"{', '.join(not_kab)} bukan kabupaten/kota. Sebutkan kabupaten/kota saja; "
                "provinsi dan Ditjen ikut otomatis.",
                field="offices",
            )
        kab_codes = sorted(set(codes))
        province_codes = sorted({by_code[c].parent_code or NATIONAL for c in kab_codes})
        chosen = [by_code[c] for c in (NATIONAL, *province_codes, *kab_codes)]
    else:
        chosen = offices
    return [Place(o.code, o.name, o.kind, o.province_code, o.population) for o in chosen]


def ensure_users(session: Session) -> tuple[DemoUser, ...]:
    """Creates the demo users that do not exist yet; existing ones are left as they are."""
    result = []
    for username, role, office_code, password in DEMO_USERS:
        exists = session.exec(select(User).where(User.username == username)).first() is not None
        if not exists:
            create_user(
                session=session,
                username=username,
                password=password,
                role=role,
                office_code=office_code,
            )
        office = session.get(Office, office_code) if office_code else None
        result.append(
            DemoUser(
                username=username,
                role=role,
                office_code=office_code,
                office_name=office.name if office else None,
                password=password,
                created=not exists,
            )
        )
    return tuple(result)


def _authors(session: Session) -> Authors:
    rows = session.exec(
        select(User).where(col(User.username).in_([u[0] for u in DEMO_USERS]))
    ).all()
    planner = next((u.id for u in rows if u.role is Role.planner), None)
    officers = {u.office_code: u.id for u in rows if u.office_code and u.id is not None}
    return Authors(planner=planner, officers=officers)


def _lock_tables(session: Session) -> None:
    """On PostgreSQL, keep other writers out while the demo picks its own row ids (a
    SQLite write transaction holds the database lock already)."""
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(
            m.__tablename__
            for m in (Movement, DailyReport, AllocationRequest, Shipment, StockCount)
        )
        session.execute(sa.text(f"LOCK TABLE entries, accounts, {names} IN EXCLUSIVE MODE"))


def refuse_non_empty(rows: int) -> None:
    raise InvalidState(
        f"Buku stok sudah berisi {rows} baris (mutasi, laporan harian, permintaan, "
        "kiriman atau stock opname). Demo hanya mengisi database kosong: pakai database "
        "baru (hapus blangko.db atau atur BLANGKO_DATABASE_URL), jalankan 'blangko db "
        "upgrade', lalu 'blangko demo'. Pakai --if-empty untuk melewati tanpa galat.",
        rows=rows,
    )


def run_demo(
    *,
    years: int | None = None,
    start: date = DEFAULT_START,
    offices: list[str] | None = None,
    seed: int = DEFAULT_SEED,
    if_empty: bool = False,
    engine: Engine | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> DemoResult:
    """Fills an empty ledger with a simulated history. With ``if_empty`` a ledger that
    already holds data is left alone (and no demo users are made on it)."""
    began = time.perf_counter()
    engine = engine or get_engine()
    today = today or datetime.now(ZoneInfo(WIB)).date()
    if years is not None and years < 1:
        raise ValidationFailed("--years minimal 1.", field="years")
    end = history_end(start, years, today)
    if end < start:
        raise ValidationFailed(
            f"Tanggal mulai {day(start)} harus sebelum hari ini ({day(today)}).", field="start"
        )
    with session_scope(engine) as session:
        if session.exec(select(sa.func.count()).select_from(Office)).one() == 0:
            seed_offices(session=session)
    with session_scope(engine, write=False) as session:
        rows = ledger_rows(session)
        if rows:
            if if_empty:
                return DemoResult(skipped=True, ledger_rows=rows)
            refuse_non_empty(rows)
        places = choose_places(session, offices)
    history: History = simulate(
        places,
        start,
        (end - start).days + 1,
        seed,
        (lambda done, total: progress("simulate", done, total)) if progress else None,
    )
    with session_scope(engine) as session:
        _lock_tables(session)
        rows = ledger_rows(session)
        if rows:  # someone wrote meanwhile
            if if_empty:
                return DemoResult(skipped=True, ledger_rows=rows)
            refuse_non_empty(rows)
        users = ensure_users(session)
        written = write_history(
            conn=session.connection(),
            history=history,
            authors=_authors(session),
            progress=(lambda done, total: progress("write", done, total)) if progress else None,
        )
    return DemoResult(
        skipped=False,
        ledger_rows=0,
        offices=len(places),
        start=start,
        end=end,
        today=today,
        written=written,
        users=users,
        normal_monthly_prints=normal_monthly_prints(history),
        seconds=time.perf_counter() - began,
    )
