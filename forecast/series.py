"""Demand series and stock inputs read from the ledger.

Demand is the day's print requests (PRR), not prints: prints stop when the stock is out.
Where an office left ``print_requests`` at zero but printed or let its backlog grow, the
demand is printed + backlog growth. Days without a report, and days the office was out
of stock with residents waiting, are missing (NaN): they must not teach a model that
demand fell."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col

from blangko.models import (
    Account,
    AccountKind,
    DailyReport,
    Entry,
    Movement,
    Shipment,
    ShipmentStatus,
)
from forecast.calendar import CLOSURE, WorkCalendar


@dataclass(frozen=True)
class DemandSeries:
    """Daily demand of one office from ``start`` (one value per date, NaN = unknown)."""

    office_code: str
    start: date
    values: np.ndarray
    censored: np.ndarray

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.values) - 1)

    @property
    def observed_days(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.values)))


def demand_from_reports(
    *,
    office_code: str,
    start: date,
    end: date,
    report_dates: list[date],
    print_requests: list[int],
    printed: list[int],
    backlog: list[int],
    stock_end: np.ndarray,
) -> DemandSeries:
    """The demand series from one office's current daily reports.

    ``stock_end`` is the stock on hand at the end of each date from ``start`` to ``end``.
    """
    days = (end - start).days + 1
    figures = np.full((3, days), np.nan)
    for day, req, prt, bkl in zip(report_dates, print_requests, printed, backlog, strict=True):
        offset = (day - start).days
        if 0 <= offset < days:
            figures[:, offset] = req, prt, bkl
    return demand_from_daily(
        office_code=office_code, start=start, figures=figures, stock_end=stock_end
    )


def demand_from_daily(
    *, office_code: str, start: date, figures: np.ndarray, stock_end: np.ndarray
) -> DemandSeries:
    """The demand series from one row per figure (print requests, printed, backlog) and
    one column per date from ``start``, NaN where the office did not report."""
    requests, prints, reported_backlog = figures
    values = requests.copy()
    previous = np.concatenate([[np.nan], reported_backlog[:-1]])
    growth = np.where(np.isnan(previous), 0.0, reported_backlog - previous)
    missing_requests = (requests == 0) & ((prints > 0) | (growth > 0))
    values = np.where(missing_requests, np.maximum(prints + growth, 0.0), values)
    waiting = np.nan_to_num(reported_backlog) > 0
    unmet = np.nan_to_num(requests) > np.nan_to_num(prints)
    censored = (stock_end <= 0) & (waiting | unmet) & ~np.isnan(values)
    values[censored] = np.nan
    return DemandSeries(office_code=office_code, start=start, values=values, censored=censored)


def impute(series: DemandSeries, calendar: WorkCalendar) -> np.ndarray:
    """The series with gaps filled by the median of the same weekday over the previous
    eight weeks (zero on closure days, or when those weeks are unknown too), for sums
    such as the national series."""
    values = series.values
    gaps = np.isnan(values)
    if not gaps.any():
        return values.copy()
    n = len(values)
    lagged = np.full((8, n), np.nan)
    for k in range(1, min(8, (n - 1) // 7) + 1):
        lagged[k - 1, 7 * k :] = values[: n - 7 * k]
    known = ~np.isnan(lagged)
    filler = np.zeros(n)
    has = known.any(axis=0)
    filler[has] = np.nanmedian(lagged[:, has], axis=0)
    filler[calendar.day_kinds(series.start, n) == CLOSURE] = 0.0
    return np.where(gaps, filler, values)


def national_series(series: list[DemandSeries], calendar: WorkCalendar) -> DemandSeries | None:
    """National demand: the sum of every office's (gap-filled) demand; a date is missing
    when no office reported it."""
    series = [s for s in series if s.observed_days]
    if not series:
        return None
    start = min(s.start for s in series)
    end = max(s.end for s in series)
    days = (end - start).days + 1
    total = np.zeros(days)
    reported = np.zeros(days, dtype=bool)
    for s in series:
        offset = (s.start - start).days
        window = slice(offset, offset + len(s.values))
        total[window] += impute(s, calendar)
        reported[window] |= ~np.isnan(s.values) | s.censored
    total[~reported] = np.nan
    return DemandSeries(
        office_code="00", start=start, values=total, censored=np.zeros(days, dtype=bool)
    )


def _day_offsets(days: list[str], start: date) -> np.ndarray:
    """Offsets from ``start`` of ISO dates (fetched as text: converting them in numpy is
    far cheaper than a date object per row)."""
    return (np.array(days, dtype="datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)


def load_series(
    *, session: Session, office_codes: list[str], start: date, end: date
) -> dict[str, DemandSeries]:
    """Demand series of the given offices from ``start`` to ``end`` in two queries: the
    current daily reports, and the daily net change of each office's stock account."""
    days = (end - start).days + 1
    figures = load_figures(session=session, office_codes=office_codes, start=start, end=end)
    stock = daily_stock_end(session=session, start=start, end=end)
    return {
        code: demand_from_daily(
            office_code=code,
            start=start,
            figures=figures[i],
            stock_end=stock.get(code, np.zeros(days)),
        )
        for i, code in enumerate(office_codes)
    }


def load_figures(
    *, session: Session, office_codes: list[str], start: date, end: date
) -> np.ndarray:
    """The current daily reports' print requests, prints and backlog of each office (one
    row each, in the order of ``office_codes``), one column per date; NaN = no report."""
    days = (end - start).days + 1
    row_of = {code: i for i, code in enumerate(office_codes)}
    figures = np.full((len(office_codes), 3, days), np.nan)
    reports = session.execute(
        sa.select(
            col(DailyReport.office_code),
            sa.cast(col(DailyReport.report_date), sa.String),
            col(DailyReport.print_requests),
            col(DailyReport.printed),
            col(DailyReport.backlog),
        ).where(
            col(DailyReport.is_current),
            col(DailyReport.report_date) >= start,
            col(DailyReport.report_date) <= end,
            col(DailyReport.office_code).in_(office_codes),
        )
    ).all()
    if reports:
        codes, dates, *numbers = zip(*reports, strict=True)
        rows = np.array([row_of[c] for c in codes])
        offsets = _day_offsets(list(dates), start)
        figures[rows, :, offsets] = np.array(numbers, dtype=float).T
    return figures


def daily_stock_end(*, session: Session, start: date, end: date) -> dict[str, np.ndarray]:
    """Stock on hand at the end of every date from ``start`` to ``end``, per office,
    from the ledger entries of the stock accounts (summed per business date).

    Only the entries from ``start`` on are read: the opening balance is the account's
    balance (which equals the sum of its entries, a ledger invariant) less everything
    posted since, so years of older history are not summed again day by day. Balances and
    entries come from one statement, so they agree on PostgreSQL too (where each statement
    of a transaction sees the commits made before it)."""
    codes: dict[int, str] = dict(
        session.execute(
            sa.select(col(Account.id), col(Account.office_code)).where(
                col(Account.kind) == AccountKind.stock
            )
        ).all()
    )
    days = (end - start).days + 1
    row_of = {account: i for i, account in enumerate(codes)}

    def moved(column: Any, sign: int) -> sa.Select[Any]:
        return (
            sa.select(
                column.label("account"),
                sa.cast(col(Movement.business_date), sa.String).label("day"),
                (sign * sa.func.sum(col(Entry.quantity))).label("quantity"),
            )
            .join(Movement, col(Movement.id) == col(Entry.movement_id))
            .where(column.in_(list(codes)), col(Movement.business_date) >= start)
            .group_by(column, col(Movement.business_date))
        )

    balances: Any = sa.select(
        col(Account.id).label("account"),
        sa.cast(sa.null(), sa.String).label("day"),
        col(Account.balance).label("quantity"),
    ).where(col(Account.id).in_(list(codes)))
    rows = session.execute(
        sa.union_all(
            balances, moved(col(Entry.to_account_id), 1), moved(col(Entry.from_account_id), -1)
        )
    ).all()
    # Slot 0: the opening balance; 1 … days: the dates; days + 1: everything after ``end``.
    change = np.zeros((len(codes), days + 2))
    balance = np.zeros(len(codes))
    posted = [(account, day, quantity) for account, day, quantity in rows if day is not None]
    for account, day, quantity in rows:
        if day is None:
            balance[row_of[account]] = float(quantity)
    if posted:
        ids, dates, quantities = zip(*posted, strict=True)
        slots = np.minimum(_day_offsets(list(dates), start) + 1, days + 1)
        np.add.at(
            change, (np.array([row_of[a] for a in ids]), slots), np.array(quantities, dtype=float)
        )
    change[:, 0] = balance - change[:, 1:].sum(axis=1)
    levels = np.cumsum(change[:, : days + 1], axis=1)[:, 1:]
    return {code: levels[row_of[account]] for account, code in codes.items()}


def incoming_shipments(*, session: Session, after: date) -> dict[str, dict[date, int]]:
    """Blanks in transit to each office by the date they are expected; a shipment that is
    overdue is expected on the day after ``after``."""
    rows = session.execute(
        sa.select(col(Shipment.to_office), col(Shipment.expected_on), col(Shipment.quantity)).where(
            col(Shipment.status) == ShipmentStatus.in_transit
        )
    ).all()
    incoming: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    tomorrow = after + timedelta(days=1)
    for office, expected_on, quantity in rows:
        incoming[office][max(expected_on, tomorrow)] += int(quantity)
    return {office: dict(days) for office, days in incoming.items()}
