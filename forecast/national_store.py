"""The stored national forecasts (``national_forecasts``): storing one, reading the latest.
The forecast is made in ``forecast.national``; pages, the API and the digest read it
through ``forecast.national_view``."""

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from blangko.models import NationalForecast


def store_national(
    *,
    session: Session,
    as_of: date,
    model: str,
    seconds: float,
    result: dict[str, Any],
    backtest: dict[str, Any],
) -> NationalForecast:
    """Adds a national forecast (flushed, so it has its id)."""
    row = NationalForecast(
        as_of=as_of, model=model, seconds=seconds, result=result, backtest=backtest
    )
    session.add(row)
    session.flush()
    return row


def latest_national(*, session: Session) -> NationalForecast | None:
    return session.exec(
        select(NationalForecast).order_by(col(NationalForecast.id).desc()).limit(1)
    ).first()
