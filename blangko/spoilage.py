"""Spoilage (blangko rusak): blanks spoiled per card printed, the one definition that turns
forecast demand, counted in print requests, into blanks: a card printed uses
1 + ratio blanks. The national forecast (``forecast.national``) and the province quotas
(``blangko.quotas``) read it over the same last year."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from blangko.fields import DAILY_FIGURES
from blangko.models import DailyReport

YEAR_DAYS = 365


def spoilage_ratio(*, session: Session, start: date, end: date) -> float:
    """Blanks spoiled per card printed, all offices' current daily reports, ``start`` to
    ``end``; 0 when nothing was printed."""
    spoiled = sum(
        (col(getattr(DailyReport, f.name)) for f in DAILY_FIGURES if f.spoil_cause),
        start=sa.literal(0),
    )
    printed, lost = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(col(DailyReport.printed)), 0),
            sa.func.coalesce(sa.func.sum(spoiled), 0),
        ).where(
            col(DailyReport.is_current),
            col(DailyReport.report_date) >= start,
            col(DailyReport.report_date) <= end,
        )
    ).one()
    return float(lost) / float(printed) if printed else 0.0


def last_year_spoilage(*, session: Session, as_of: date) -> float:
    """``spoilage_ratio`` over the year ending on ``as_of``."""
    return spoilage_ratio(session=session, start=as_of - timedelta(days=YEAR_DAYS - 1), end=as_of)
