"""Reading forecast results (written by forecast/): the latest result of each office from
finished runs, and the risk level the national overview shows."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from blangko.errors import NotFound
from blangko.models import ForecastResult, ForecastRun, ForecastRunStatus
from blangko.settings import get_settings

HIGH, MEDIUM, LOW = "high", "medium", "low"


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

    @property
    def risk(self) -> str:
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


def risk_level(result: ForecastResult | ForecastSummary, *, today: date | None = None) -> str:
    """``high`` when the forecast stock-out comes before a new allocation could arrive
    (within the lead time) or a stock-out within 14 days is more likely than not;
    ``medium`` when it comes within lead time + safety days or a stock-out within 30 days
    has at least a one-in-five chance; else ``low``."""
    settings = get_settings()
    today = today or result.as_of
    lead = today + timedelta(days=settings.lead_time_days)
    safety = lead + timedelta(days=settings.safety_days)
    out = result.stockout_date
    p14 = float(result.stockout_probability.get("14", 0.0))
    p30 = float(result.stockout_probability.get("30", 0.0))
    if (out is not None and out <= lead) or p14 >= 0.5:
        return HIGH
    if (out is not None and out <= safety) or p30 >= 0.2:
        return MEDIUM
    return LOW
