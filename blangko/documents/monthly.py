"""Monthly report (laporan bulanan) of each office, from the ledger and the daily reports,
and its roll-ups per province and for the nation.

The stock flows come from the entries on the office's ``stock`` account, each classified
by the account on the other side, so that every entry is counted once:
opening + procured + received + returned − dispatched − printed − spoiled ± adjustment =
closing, where closing is the balance at month end, summed on its own. Spoiled by cause,
requests, backlog, Suket and IKD come from the month's current daily reports (whose
postings are the ledger's printed and spoiled)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from blangko.errors import ValidationFailed
from blangko.fields import EARLIEST_DATE
from blangko.models import Account, AccountKind, DailyReport, Entry, Movement, Office
from blangko.months import month_end
from blangko.offices import local_today


@dataclass(frozen=True)
class Column:
    """One figure of the report: its field, its Indonesian header, and whether it is a
    stock flow that the reconciliation adds (+1) or takes away (−1)."""

    name: str
    header: str
    sign: int = 0


COLUMNS: tuple[Column, ...] = (
    Column("opening", "Stok awal", 1),
    Column("procured", "Pengadaan", 1),
    Column("received", "Diterima dari kiriman", 1),
    Column("returned", "Kiriman batal (kembali)", 1),
    Column("dispatched", "Dikirim", -1),
    Column("printed", "Tercetak", -1),
    Column("spoiled", "Rusak (jumlah)", -1),
    Column("adjustment", "Penyesuaian stock opname (±)", 1),
    Column("closing", "Stok akhir"),
    Column("spoiled_gagal_cetak", "Rusak: gagal cetak"),
    Column("spoiled_gagal_encode", "Rusak: gagal encode"),
    Column("spoiled_rusak_fisik", "Rusak: rusak fisik"),
    Column("spoiled_lainnya", "Rusak: lainnya"),
    Column("lost", "Hilang dalam pengiriman"),
    Column("print_requests", "Permintaan cetak (PRR)"),
    Column("backlog", "Sisa PRR akhir bulan"),
    Column("suket_issued", "Suket diterbitkan"),
    Column("ikd_activations", "Aktivasi IKD"),
    Column("days_out_of_stock", "Hari stok habis"),
)


@dataclass(frozen=True)
class MonthlyRow:
    """One office's month, or the sum of several (a province, the nation)."""

    code: str
    name: str
    month: date  # the first day
    opening: int = 0
    procured: int = 0
    received: int = 0
    returned: int = 0
    dispatched: int = 0
    printed: int = 0
    spoiled: int = 0
    adjustment: int = 0
    closing: int = 0
    spoiled_gagal_cetak: int = 0
    spoiled_gagal_encode: int = 0
    spoiled_rusak_fisik: int = 0
    spoiled_lainnya: int = 0
    lost: int = 0
    print_requests: int = 0
    backlog: int = 0
    suket_issued: int = 0
    ikd_activations: int = 0
    days_out_of_stock: int = 0
    offices: int = 1
    reports: int = 0  # days with a daily report
    province_code: str = field(default="", compare=False)

    @property
    def computed_closing(self) -> int:
        """Opening plus what came in minus what went out."""
        return sum(getattr(self, c.name) * c.sign for c in COLUMNS if c.sign)

    @property
    def reconciles(self) -> bool:
        return self.computed_closing == self.closing


def parse_month(text: str) -> date:
    """``2026-12`` → 1 Dec 2026; refused outside 2011 … 2099."""
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise ValidationFailed(
            f"Bulan '{text}' tidak dikenal; tulis TTTT-BB, misalnya 2026-12.", field="month"
        ) from None
    if not EARLIEST_DATE <= first <= date(2099, 12, 1) or len(text) != 7:
        raise ValidationFailed(
            f"Bulan '{text}' di luar rentang 2011-01 sampai 2099-12.", field="month"
        )
    return first


def monthly_rows(*, session: Session, month: date, offices: list[Office]) -> list[MonthlyRow]:
    """The month of each office of ``offices``, in their order (a few grouped queries for
    any number of offices)."""
    first, last = month, month_end(month)
    codes = [o.code for o in offices]
    flows = _stock_flows(session, codes, first, last)
    figures = _report_figures(session, codes, first, last)
    backlog = _month_end_backlog(session, codes, first, last)
    lost = _lost(session, codes, first, last)
    empty_days = _days_out_of_stock(session, offices, first, last, flows)
    rows = []
    for office in offices:
        values = {**flows.get(office.code, {}), **figures.get(office.code, {})}
        values["backlog"] = backlog.get(office.code, 0)
        values["lost"] = lost.get(office.code, 0)
        values["days_out_of_stock"] = empty_days.get(office.code, 0)
        rows.append(
            MonthlyRow(
                code=office.code,
                name=office.name,
                month=first,
                province_code=office.province_code or "",
                **{k: int(v) for k, v in values.items()},
            )
        )
    return rows


SUMMED = [
    f.name for f in fields(MonthlyRow) if f.name not in ("code", "name", "month", "province_code")
]


def rollup(rows: Iterable[MonthlyRow], code: str, name: str, month: date) -> MonthlyRow:
    """The sum of several offices' months (a province with its kab/kota, the nation)."""
    totals: dict[str, int] = dict.fromkeys(SUMMED, 0)
    for row in rows:
        for name_ in SUMMED:
            totals[name_] += getattr(row, name_)
    return replace(MonthlyRow(code=code, name=name, month=month), **cast(dict[str, Any], totals))


def province_rollups(
    rows: list[MonthlyRow], provinces: list[Office], month: date
) -> list[MonthlyRow]:
    """One row per province: its Dinas and its kab/kota."""
    by_province: dict[str, list[MonthlyRow]] = defaultdict(list)
    for row in rows:
        if row.province_code:
            by_province[row.province_code].append(row)
    return [rollup(by_province[p.code], p.code, p.name, month) for p in provinces]


# --- queries ------------------------------------------------------------------------------


def _stock_flows(
    session: Session, codes: list[str], first: date, last: date
) -> dict[str, dict[str, int]]:
    """Per office: the opening and closing balance and the month's flows, classified by
    the other side of each entry on the stock account."""
    stock, other = aliased(Account), aliased(Account)
    result: dict[str, dict[str, int]] = {c: {"opening": 0, "closing": 0} for c in codes}
    for incoming in (True, False):
        mine = Entry.to_account_id if incoming else Entry.from_account_id
        theirs = Entry.from_account_id if incoming else Entry.to_account_id
        base = (
            sa.select(
                col(stock.office_code),
                col(other.office_code),
                col(other.kind),
                sa.case((col(Movement.business_date) < first, 0), else_=1).label("in_month"),
                sa.func.sum(col(Entry.quantity)),
            )
            .join(stock, col(stock.id) == mine)
            .join(other, col(other.id) == theirs)
            .join(Movement, col(Movement.id) == col(Entry.movement_id))
            .where(
                col(stock.kind) == AccountKind.stock,
                col(stock.office_code).in_(codes),
                col(Movement.business_date) <= last,
            )
            .group_by(col(stock.office_code), col(other.office_code), col(other.kind), sa.text("4"))
        )
        for office, counterpart, kind, in_month, quantity in session.execute(base).all():
            signed = int(quantity) if incoming else -int(quantity)
            figures = result[office]
            figures["closing"] += signed
            if not in_month:
                figures["opening"] += signed
                continue
            category = _category(AccountKind(kind), counterpart == office, incoming)
            figures[category] = figures.get(category, 0) + (
                signed if category == "adjustment" else abs(signed) * _direction(category, incoming)
            )
    return result


_IN = {"procured", "received", "returned"}


def _direction(category: str, incoming: bool) -> int:
    """+1 when the entry goes the category's own way (into stock for an 'in' figure, out
    of stock for an 'out' one); −1 for a reversal the other way."""
    return 1 if (category in _IN) == incoming else -1


def _category(kind: AccountKind, own: bool, incoming: bool) -> str:
    if kind is AccountKind.supply:
        return "procured"
    if kind is AccountKind.transit:
        if own:
            return "returned" if incoming else "dispatched"
        return "received"
    if kind is AccountKind.printed:
        return "printed"
    if kind is AccountKind.spoiled:
        return "spoiled"
    if kind is AccountKind.adjustment:
        return "adjustment"
    raise ValueError(f"unexpected counterpart of a stock entry: {kind}")


REPORT_SUMS = (
    "print_requests",
    "spoiled_gagal_cetak",
    "spoiled_gagal_encode",
    "spoiled_rusak_fisik",
    "spoiled_lainnya",
    "suket_issued",
    "ikd_activations",
)


def _report_figures(
    session: Session, codes: list[str], first: date, last: date
) -> dict[str, dict[str, int]]:
    columns = [sa.func.sum(getattr(DailyReport, name)) for name in REPORT_SUMS]
    rows = session.execute(
        sa.select(col(DailyReport.office_code), sa.func.count(), *columns)
        .where(
            col(DailyReport.is_current),
            col(DailyReport.office_code).in_(codes),
            col(DailyReport.report_date).between(first, last),
        )
        .group_by(col(DailyReport.office_code))
    ).all()
    return {
        office: {
            "reports": int(count),
            **{n: int(v or 0) for n, v in zip(REPORT_SUMS, values, strict=True)},
        }
        for office, count, *values in rows
    }


def _month_end_backlog(
    session: Session, codes: list[str], first: date, last: date
) -> dict[str, int]:
    """The backlog of each office's last report of the month."""
    latest = (
        sa.select(
            col(DailyReport.office_code), sa.func.max(col(DailyReport.report_date)).label("on")
        )
        .where(
            col(DailyReport.is_current),
            col(DailyReport.office_code).in_(codes),
            col(DailyReport.report_date).between(first, last),
        )
        .group_by(col(DailyReport.office_code))
        .subquery()
    )
    rows = session.execute(
        sa.select(col(DailyReport.office_code), col(DailyReport.backlog))
        .join(
            latest,
            sa.and_(
                latest.c.office_code == col(DailyReport.office_code),
                latest.c.on == col(DailyReport.report_date),
            ),
        )
        .where(col(DailyReport.is_current))
    ).all()
    return {office: int(backlog) for office, backlog in rows}


def _lost(session: Session, codes: list[str], first: date, last: date) -> dict[str, int]:
    """Blanks lost on the way to each office (shortfalls of receipts in the month)."""
    lost = aliased(Account)
    rows = session.execute(
        sa.select(col(lost.office_code), sa.func.sum(col(Entry.quantity)))
        .join(lost, col(lost.id) == col(Entry.to_account_id))
        .join(Movement, col(Movement.id) == col(Entry.movement_id))
        .where(
            col(lost.kind) == AccountKind.lost,
            col(lost.office_code).in_(codes),
            col(Movement.business_date).between(first, last),
        )
        .group_by(col(lost.office_code))
    ).all()
    return {office: int(quantity) for office, quantity in rows}


def _days_out_of_stock(
    session: Session,
    offices: list[Office],
    first: date,
    last: date,
    flows: dict[str, dict[str, int]],
) -> dict[str, int]:
    """Days of the month (up to the office's today) that ended with no stock."""
    stock = aliased(Account)
    signed = sa.case(
        (col(Entry.to_account_id) == col(stock.id), col(Entry.quantity)),
        else_=-col(Entry.quantity),
    )
    rows = session.execute(
        sa.select(col(stock.office_code), col(Movement.business_date), sa.func.sum(signed))
        .join(
            stock,
            sa.or_(
                col(stock.id) == col(Entry.to_account_id),
                col(stock.id) == col(Entry.from_account_id),
            ),
        )
        .join(Movement, col(Movement.id) == col(Entry.movement_id))
        .where(
            col(stock.kind) == AccountKind.stock,
            col(stock.office_code).in_([o.code for o in offices]),
            col(Movement.business_date).between(first, last),
        )
        .group_by(col(stock.office_code), col(Movement.business_date))
    ).all()
    changes: dict[str, dict[date, int]] = defaultdict(dict)
    for office, on, change in rows:
        changes[office][on] = int(change)
    result = {}
    for office in offices:
        level = flows.get(office.code, {}).get("opening", 0)
        end = min(last, local_today(office))
        empty, day = 0, first
        while day <= end:
            level += changes[office.code].get(day, 0)
            empty += level <= 0
            day += timedelta(days=1)
        result[office.code] = empty
    return result


def report_offices(session: Session, codes: Iterable[str] | None = None) -> list[Office]:
    """Offices in code order (all of them without ``codes``)."""
    query = select(Office).order_by(col(Office.code))
    if codes is not None:
        query = query.where(col(Office.code).in_(list(codes)))
    return list(session.exec(query).all())
