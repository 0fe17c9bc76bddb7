"""How pages, the API and the planners' digest read the latest national forecast: its
months as pages name them, the procurement-timing sentence and the model's name."""

from calendar import monthrange
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from blangko.fmt import month as fmt_month
from forecast.national_store import latest_national
from forecast.procurement import timing_sentence

# The candidates of ``forecast.national.CANDIDATES``, as pages name them.
MODEL_LABELS = {
    "national_prophet": "Prophet pada total nasional",
    "national_weekday_median": "median hari kerja pada total nasional",
    "offices_weekday_median": "jumlah prakiraan tiap Dinas (median hari kerja)",
}


def month_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stored months with their names as pages show them (``Januari 2027``)."""
    return [
        {
            **month,
            "label": fmt_month(date.fromisoformat(f"{month['month']}-01")),
            "partial": month["days"] < monthrange(*map(int, month["month"].split("-")))[1],
        }
        for month in result["months"]
    ]


def sentence(result: Mapping[str, Any], today: date) -> str:
    """The procurement-timing sentence of a stored forecast, as of ``today``."""
    return timing_sentence(
        below_target_on=_date(result.get("stock_below_target_on")),
        quantity=result.get("next_tranche_quantity"),
        arrive_by=_date(result.get("arrive_by")),
        order_by=_date(result.get("order_by")),
        target_days=int(result["target_days"]),
        horizon_end=date.fromisoformat(result["last_day"]),
        today=today,
    )


def digest_sentence(*, session: Session, today: date, within_days: int = 30) -> str | None:
    """The sentence for the planners' digest when the latest forecast says the next
    tranche must be ordered within ``within_days`` (or should have been already)."""
    latest = latest_national(session=session)
    order_by = _date(latest.result.get("order_by")) if latest else None
    if latest is None or order_by is None or order_by > today + timedelta(days=within_days):
        return None
    return sentence(latest.result, today)


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None
