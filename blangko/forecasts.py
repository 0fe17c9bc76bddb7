"""Reading forecast results (written by forecast/): the latest result of each office from
finished runs, and the stock-out risk each one carries (``blangko.risk``)."""

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko.errors import NotFound
from blangko.models import ForecastResult, ForecastRun, ForecastRunStatus
from blangko.risk import Risk, RiskLevel, assess
from blangko.settings import get_settings


def _latest_ids(office_codes: list[str] | None = None) -> sa.Select[int | None]:
    query = (
        sa.select(sa.func.max(col(ForecastResult.id)))
        .join(ForecastRun, col(ForecastRun.id) == col(ForecastResult.run_id))
        .where(col(ForecastRun.status) == ForecastRunStatus.finished)
        .group_by(col(ForecastResult.office_code))
    )
    if office_codes is not None:
        query = query.where(col(ForecastResult.office_code).in_(office_codes))
    return query


def latest_results(
    *, session: Session, office_codes: list[str] | None = None
) -> dict[str, ForecastResult]:
    """Each office's newest result from a finished run (one query)."""
    rows = session.exec(
        select(ForecastResult).where(col(ForecastResult.id).in_(_latest_ids(office_codes)))
    ).all()
    return {row.office_code: row for row in rows}


@dataclass(frozen=True)
class ForecastSummary:
    """The figures of an office's latest forecast that lists show (without the daily
    points, so the national overview stays fast)."""

    office_code: str
    run_id: int
    as_of: date
    stockout_date: date | None
    stockout_probability: dict[str, float]
    days_of_cover: float | None
    mean_daily_demand: float
    model: str
    lead_time_p90: float | None = None
    risk_horizon_days: int | None = None
    risk_probability: float | None = None

    @property
    def risk(self) -> str:
        """The risk level as the forecast saw it (days left counted from its ``as_of``)."""
        return risk_level(self)


def latest_summaries(
    *, session: Session, office_codes: list[str] | None = None
) -> dict[str, ForecastSummary]:
    """Each office's newest forecast figures from a finished run (one query)."""
    rows = session.execute(
        sa.select(
            col(ForecastResult.office_code),
            col(ForecastResult.run_id),
            col(ForecastResult.as_of),
            col(ForecastResult.stockout_date),
            col(ForecastResult.stockout_probability),
            col(ForecastResult.days_of_cover),
            col(ForecastResult.mean_daily_demand),
            col(ForecastResult.model),
            col(ForecastResult.lead_time_p90),
            col(ForecastResult.risk_horizon_days),
            col(ForecastResult.risk_probability),
        ).where(col(ForecastResult.id).in_(_latest_ids(office_codes)))
    ).all()
    return {row[0]: ForecastSummary(*row) for row in rows}


def latest_result(*, session: Session, office_code: str) -> ForecastResult:
    """The office's newest forecast; ``NotFound`` when no finished run covered it."""
    found = latest_results(session=session, office_codes=[office_code]).get(office_code)
    if found is None:
        raise NotFound(
            f"Belum ada prakiraan untuk kantor '{office_code}'. Jalankan prakiraan "
            "(blangko forecast run) atau tunggu jadwal malam."
        )
    return found


def get_run(*, session: Session, run_id: int) -> ForecastRun:
    run = session.get(ForecastRun, run_id)
    if run is None:
        raise NotFound(f"Proses prakiraan #{run_id} tidak ditemukan. Periksa nomornya.")
    return run


def latest_run(*, session: Session, finished_only: bool = True) -> ForecastRun | None:
    """The newest finished run, or the newest of any status (for health checks)."""
    query = select(ForecastRun)
    if finished_only:
        query = query.where(col(ForecastRun.status) == ForecastRunStatus.finished)
    return session.exec(query.order_by(col(ForecastRun.id).desc()).limit(1)).first()


def risk_of(
    result: ForecastResult | ForecastSummary,
    *,
    today: date | None = None,
    lead_time_days: int | None = None,
) -> Risk:
    """The one risk rule applied to a stored forecast: its risk probability at the
    office's own horizon (p90 lead time learned when the forecast ran + safety days).
    Results of older runs, without those figures, use ``lead_time_days`` (else the
    setting) + safety days and their stock-out date. Days left count from ``today``
    (the office's today; the forecast's ``as_of`` when omitted)."""
    settings = get_settings()
    if result.lead_time_p90 is not None:
        lead = math.ceil(result.lead_time_p90)
    else:
        lead = lead_time_days if lead_time_days is not None else settings.lead_time_days
    horizon = result.risk_horizon_days
    if horizon is None or result.risk_probability is None:
        horizon = lead + settings.safety_days
    return assess(
        today=today or result.as_of,
        stockout_date=result.stockout_date,
        probability=result.risk_probability,
        lead_time_days=lead,
        horizon_days=horizon,
    )


def risk_level(result: ForecastResult | ForecastSummary, *, today: date | None = None) -> RiskLevel:
    """``high`` (stock-out likely before a resupply requested today can arrive, and the
    expected stock-out within the p90 lead time), ``medium`` (likely within the horizon,
    with time to request) or ``low``: see ``blangko.risk``."""
    return risk_of(result, today=today).level
