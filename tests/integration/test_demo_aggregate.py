"""The national shape read back from written demo data: monthly prints within the public
range (FACTS §2), the 2022 and 2023 stock-outs as backlog, demand in proportion to
population, and the ledger rules over a large history."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import col, select

from blangko.db import session_scope
from blangko.demo import calibration as cal
from blangko.demo import run_demo
from blangko.demo.demand import annual_demand
from blangko.demo.summary import NORMAL_BACKLOG_SHARE, NORMAL_SUKET_SHARE
from blangko.models import DailyReport, Office, OfficeKind
from tests.integration.ledger_support import invariant_violations
from tests.integration.test_demo import (
    REPORTS_VS_ENTRIES,
    RUNNING_BALANCES,
    SHIPMENTS_VS_ENTRIES,
)

pytestmark = pytest.mark.slow

# Every kab/kota of Jawa Barat, Sumatera Utara and Sulawesi Selatan (WIB and WITA):
# 84 offices, about a quarter of the population.
PROVINCES = ("32", "12", "73")


@dataclass
class Month:
    requests: int = 0
    printed: int = 0
    suket: int = 0
    last_day: date | None = None
    backlog_end: int = 0

    @property
    def normal(self) -> bool:
        return (
            self.suket < NORMAL_SUKET_SHARE * self.requests
            and self.backlog_end < NORMAL_BACKLOG_SHARE * self.requests
        )


def written_days(engine: Engine) -> dict[date, tuple[int, int, int, int]]:
    """Requests, prints, Suket and backlog of all written offices, by date."""
    with session_scope(engine, write=False) as session:
        rows = session.execute(
            sa.select(
                col(DailyReport.report_date),
                sa.func.sum(col(DailyReport.print_requests)),
                sa.func.sum(col(DailyReport.printed)),
                sa.func.sum(col(DailyReport.suket_issued)),
                sa.func.sum(col(DailyReport.backlog)),
            )
            .where(col(DailyReport.is_current))
            .group_by(col(DailyReport.report_date))
        ).all()
    return {day: (int(r), int(p), int(s), int(b)) for day, r, p, s, b in rows}


def by_month(days: dict[date, tuple[int, int, int, int]]) -> dict[date, Month]:
    months: dict[date, Month] = defaultdict(Month)
    for day in sorted(days):
        requests, printed, suket, backlog = days[day]
        month = months[day.replace(day=1)]
        month.requests += requests
        month.printed += printed
        month.suket += suket
        month.last_day, month.backlog_end = day, backlog
    return months


def test_written_subset_has_the_national_shape(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine, write=False) as session:
        kabs = session.exec(
            select(Office).where(
                col(Office.province_code).in_(PROVINCES),
                col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota]),
            )
        ).all()
    codes = [o.code for o in kabs]
    share = sum(o.population for o in kabs) / cal.NATIONAL_POPULATION
    assert len(codes) == 84 and 0.2 < share < 0.3
    run_demo(engine=sqlite_engine, offices=codes, years=3)
    days = written_days(sqlite_engine)
    months = by_month(days)

    # FACTS §2: 1–2 M blanks a month nationally in normal months (scaled by population).
    normal = {first: m for first, m in months.items() if m.normal}
    for first, month in normal.items():
        assert 1_000_000 <= month.printed / share <= 2_000_000, (first, month.printed / share)
    assert {date(2022, m, 1) for m in range(2, 7)} <= normal.keys()
    assert {date(2024, m, 1) for m in range(3, 12)} <= normal.keys()

    # FACTS §4: stock-outs in Aug–Sep 2022 and from the last week of July 2023.
    usual = np.median([m.backlog_end for m in normal.values()])
    assert days[date(2022, 9, 30)][3] > 20 * usual
    assert max(days[d][3] for d in (date(2023, 8, 1), date(2023, 8, 3), date(2023, 8, 7))) > (
        3 * usual
    )
    assert months[date(2022, 9, 1)].printed < 0.1 * months[date(2022, 3, 1)].printed

    # Each office's 2022 requests follow its population (tolerance ±25 %, see the unit
    # test of the demand model).
    with session_scope(sqlite_engine, write=False) as session:
        requested = dict(
            session.execute(
                sa.select(
                    col(DailyReport.office_code), sa.func.sum(col(DailyReport.print_requests))
                )
                .where(col(DailyReport.report_date) < date(2023, 1, 1))
                .group_by(col(DailyReport.office_code))
            ).all()
        )
    ratios = [requested[o.code] / annual_demand(o.population) for o in kabs]
    assert min(ratios) > 0.75 and max(ratios) < 1.25


def test_all_offices_for_a_year_keep_the_rules_and_the_range(sqlite_engine: Engine) -> None:
    result = run_demo(engine=sqlite_engine, years=1)
    assert result.offices == 553 and result.written is not None
    assert result.written.daily_reports > 514 * 280
    with session_scope(sqlite_engine, write=False) as session:
        assert invariant_violations(session) == []
        assert session.execute(RUNNING_BALANCES).all() == []
        assert session.execute(REPORTS_VS_ENTRIES).all() == []
        assert session.execute(SHIPMENTS_VS_ENTRIES).all() == []
    months = by_month(written_days(sqlite_engine))
    for m in range(1, 8):  # before the shortage: FACTS §2, 1–1.5 M a month
        assert 1_000_000 <= months[date(2022, m, 1)].printed <= 1_800_000
    assert months[date(2022, 9, 1)].backlog_end > 20 * months[date(2022, 3, 1)].backlog_end
    assert result.normal_monthly_prints is not None
    assert 1_000_000 <= result.normal_monthly_prints <= 2_000_000
