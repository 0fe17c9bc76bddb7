"""The public status of every kab/kota office (status untuk warga): read from the stock
positions, the daily reports, the latest forecasts and the shipments on their way, in a
handful of queries, and judged by ``blangko.availability``. What is published and why is
in the README (*Halaman publik*): levels, never stock figures; no names, no people."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko import availability
from blangko.availability import Level
from blangko.forecasts import latest_summaries
from blangko.models import (
    DailyReport,
    ForecastRun,
    ForecastRunStatus,
    Movement,
    Office,
    OfficeKind,
    Shipment,
    ShipmentStatus,
    utcnow,
)
from blangko.offices import local_today
from blangko.stock import stock_positions

PUBLIC_KINDS = (OfficeKind.kabupaten, OfficeKind.kota)  # where residents get their card


@dataclass(frozen=True)
class PublicStatus:
    """One office as residents and re-users of the open data see it."""

    code: str
    name: str
    kind: str
    province_code: str
    province: str
    today: date
    status: Level
    last_report_on: date | None
    silent_since: date | None
    expected_wait_days: int | None
    waiting_for_blanks: bool
    shipment_expected_on: date | None


@dataclass(frozen=True)
class Board:
    """Every kab/kota office's public status at one moment (``as_of``, UTC), in code
    order, and the provinces by code."""

    as_of: datetime
    offices: list[PublicStatus]
    provinces: dict[str, str]

    def office(self, code: str) -> PublicStatus | None:
        return next((o for o in self.offices if o.code == code), None)


@dataclass(frozen=True)
class DataVersion:
    """What changes whenever anything on the public pages may change: the newest
    movement, daily report and finished forecast run. Three index lookups."""

    movement_id: int
    report_id: int
    forecast_run_id: int


def data_version(*, session: Session) -> DataVersion:
    row = session.execute(
        sa.select(
            sa.select(sa.func.max(col(Movement.id))).scalar_subquery(),
            sa.select(sa.func.max(col(DailyReport.id))).scalar_subquery(),
            sa.select(sa.func.max(col(ForecastRun.id)))
            .where(col(ForecastRun.status) == ForecastRunStatus.finished)
            .scalar_subquery(),
        )
    ).one()
    return DataVersion(*(int(value or 0) for value in row))


def public_board(*, session: Session, now: datetime | None = None) -> Board:
    """The public status of every kab/kota office at ``now`` (this moment)."""
    now = now or utcnow()
    offices = list(
        session.exec(
            select(Office).where(col(Office.kind).in_(PUBLIC_KINDS)).order_by(Office.code)
        ).all()
    )
    provinces = {
        o.code: o.name
        for o in session.exec(select(Office).where(Office.kind == OfficeKind.province)).all()
    }
    today = {o.code: local_today(o, now) for o in offices}
    positions = stock_positions(session=session)
    forecasts = latest_summaries(session=session)
    reports = _recent_reports(session, min(today.values(), default=now.date()))
    last_report = _last_report_dates(session, reports, [o.code for o in offices])
    expected = _shipments_expected(session)
    statuses = []
    for office in offices:
        last = last_report.get(office.code)
        recent = [r for r in reports.get(office.code, []) if last and r.on <= last]
        printed = _window_mean(recent, last, availability.PRINT_WINDOW_DAYS, lambda r: r.printed)
        summary = forecasts.get(office.code)
        demand = (
            summary.mean_daily_demand
            if summary is not None
            else _window_mean(recent, last, availability.DEMAND_WINDOW_DAYS, lambda r: r.requests)
        )
        position = positions[office.code]
        status = availability.level(
            on_hand=position.on_hand,
            mean_daily_demand=demand,
            last_report_on=last,
            today=today[office.code],
        )
        wait = availability.expected_wait(
            status=status, backlog=position.backlog, daily_prints=printed
        )
        province_code = office.province_code or ""
        statuses.append(
            PublicStatus(
                code=office.code,
                name=office.name,
                kind=str(office.kind),
                province_code=province_code,
                province=provinces.get(province_code, ""),
                today=today[office.code],
                status=status,
                last_report_on=last,
                silent_since=availability.silent_since(last, today[office.code]),
                expected_wait_days=wait.days,
                waiting_for_blanks=wait.for_blanks,
                shipment_expected_on=expected.get(office.code),
            )
        )
    return Board(as_of=now, offices=statuses, provinces=provinces)


class Recent(NamedTuple):
    """The figures of one recent report the public status needs."""

    on: date
    printed: int
    requests: int


def _recent_reports(session: Session, earliest_today: date) -> dict[str, list[Recent]]:
    """Current reports of the last weeks (enough for every window), per office."""
    since = earliest_today - timedelta(
        days=availability.DEMAND_WINDOW_DAYS + availability.UNKNOWN_AFTER_DAYS + 2
    )
    found: dict[str, list[Recent]] = defaultdict(list)
    for code, on, printed, requests in session.execute(
        sa.select(
            col(DailyReport.office_code),
            col(DailyReport.report_date),
            col(DailyReport.printed),
            col(DailyReport.print_requests),
        ).where(col(DailyReport.is_current), col(DailyReport.report_date) >= since)
    ).all():
        found[code].append(Recent(on, int(printed), int(requests)))
    return found


def _last_report_dates(
    session: Session, recent: dict[str, list[Recent]], codes: list[str]
) -> dict[str, date]:
    """Each office's latest report: from the recent ones, and for the offices silent for
    longer, one query over their history."""
    last = {code: max(row.on for row in rows) for code, rows in recent.items() if rows}
    silent = [code for code in codes if code not in last]
    if silent:
        last.update(
            session.execute(
                sa.select(col(DailyReport.office_code), sa.func.max(col(DailyReport.report_date)))
                .where(col(DailyReport.is_current), col(DailyReport.office_code).in_(silent))
                .group_by(col(DailyReport.office_code))
            ).all()
        )
    return last


def _window_mean(
    rows: list[Recent], last: date | None, days: int, figure: Callable[[Recent], int]
) -> float:
    """Mean per calendar day over the ``days`` up to the latest report (a day without a
    report counts as nothing: offices are closed on Sundays and holidays)."""
    if last is None:
        return 0.0
    start = last - timedelta(days=days - 1)
    return sum(figure(row) for row in rows if row.on >= start) / days


def _shipments_expected(session: Session) -> dict[str, date]:
    """The earliest expected arrival of the shipments on their way to each office."""
    return dict(
        session.execute(
            sa.select(col(Shipment.to_office), sa.func.min(col(Shipment.expected_on)))
            .where(col(Shipment.status) == ShipmentStatus.in_transit)
            .group_by(col(Shipment.to_office))
        ).all()
    )
