"""Demand series and stock inputs read from the ledger.

Demand is the day's print requests (PRR), not prints: prints stop when the stock is out.
Where an office left ``print_requests`` at zero but printed or let its backlog grow, the
demand is printed + backlog growth. Days without a report, and days the office was out
of stock with residents waiting, are missing (NaN): they must not teach a model that
demand fell."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

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
    values = np.full(days, np.nan)
    reported_backlog = np.full(days, np.nan)
    requests = np.zeros(days)
    prints = np.zeros(days)
    for day, req, prt, bkl in zip(report_dates, print_requests, printed, backlog, strict=True):
        offset = (day - start).days
        if 0 <= offset < days:
            requests[offset], prints[offset], reported_backlog[offset] = req, prt, bkl
            values[offset] = req
    previous = np.concatenate([[np.nan], reported_backlog[:-1]])
    growth = np.where(np.isnan(previous), 0.0, reported_backlog - previous)
    missing_requests = (requests == 0) & ((prints > 0) | (growth > 0))
    values = np.where(missing_requests, np.maximum(prints + growth, 0.0), values)
    waiting = np.nan_to_num(reported_backlog) > 0
    censored = (stock_end <= 0) & (waiting | (requests > prints)) & ~np.isnan(values)
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


def load_series(
    *, session: Session, office_codes: list[str], start: date, end: date
) -> dict[str, DemandSeries]:
    """Demand series of the given offices from ``start`` to ``end`` in two queries: the
    current daily reports, and the daily net change of each office's stock account."""
    wanted = set(office_codes)
    reports = session.execute(
        sa.select(
            col(DailyReport.office_code),
            col(DailyReport.report_date),
            col(DailyReport.print_requests),
            col(DailyReport.printed),
            col(DailyReport.backlog),
        )
        .where(
            col(DailyReport.is_current),
            col(DailyReport.report_date) >= start,
            col(DailyReport.report_date) <= end,
        )
        .order_by(col(DailyReport.office_code), col(DailyReport.report_date))
    ).all()
    by_office: dict[str, list[tuple[date, int, int, int]]] = defaultdict(list)
    for code, day, req, prt, bkl in reports:
        if code in wanted:
            by_office[code].append((day, req, prt, bkl))
    stock = daily_stock_end(session=session, start=start, end=end)
    days = (end - start).days + 1
    result: dict[str, DemandSeries] = {}
    for code in office_codes:
        rows = by_office.get(code, [])
        result[code] = demand_from_reports(
            office_code=code,
            start=start,
            end=end,
            report_dates=[r[0] for r in rows],
            print_requests=[r[1] for r in rows],
            printed=[r[2] for r in rows],
            backlog=[r[3] for r in rows],
            stock_end=stock.get(code, np.zeros(days)),
        )
    return result


def daily_stock_end(*, session: Session, start: date, end: date) -> dict[str, np.ndarray]:
    """Stock on hand at the end of every date from ``start`` to ``end``, per office,
    from the ledger entries of the stock accounts (summed per business date)."""
    stock_accounts: dict[int, str] = dict(
        session.execute(
            sa.select(col(Account.id), col(Account.office_code)).where(
                col(Account.kind) == AccountKind.stock
            )
        ).all()
    )
    days = (end - start).days + 1
    change: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(days + 1))
    for column, sign in ((col(Entry.to_account_id), 1), (col(Entry.from_account_id), -1)):
        rows = session.execute(
            sa.select(column, col(Movement.business_date), sa.func.sum(col(Entry.quantity)))
            .join(Movement, col(Movement.id) == col(Entry.movement_id))
            .where(column.in_(list(stock_accounts)), col(Movement.business_date) <= end)
            .group_by(column, col(Movement.business_date))
        ).all()
        for account_id, day, quantity in rows:
            # Everything before ``start`` lands in slot 0 (the opening balance).
            offset = max((day - start).days + 1, 0)
            change[stock_accounts[account_id]][offset] += sign * int(quantity)
    return {code: np.cumsum(delta)[1:] for code, delta in change.items()}


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
