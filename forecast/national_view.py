"""How pages, the API and the planners' digest read the latest national forecast: the
procurement timing worked out again with the tranches open now (a tranche recorded,
cancelled or received after the forecast counts at once; milliseconds), its months as
pages name them, the procurement-timing sentence and the model's name."""

from calendar import monthrange
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from blangko.fmt import day as fmt_day
from blangko.fmt import month as fmt_month
from blangko.fmt import number
from blangko.models import NationalForecast, PlannedProcurement, TrancheStatus
from blangko.tranches import open_tranches, received_quantities
from forecast.national import tranche_arrivals, with_tranches
from forecast.national_store import latest_national
from forecast.procurement import timing_sentence

# The candidates of ``forecast.national.CANDIDATES``, as pages name them.
MODEL_LABELS = {
    "national_prophet": "Prophet pada total nasional",
    "national_weekday_median": "median hari kerja pada total nasional",
    "offices_weekday_median": "jumlah prakiraan tiap Dinas (median hari kerja)",
}


# The one meaning of "stok nasional" (issue 13 item 3): what the timing starts from.
NATIONAL_STOCK_MEANING = (
    "stok Ditjen dan semua Dinas, ditambah yang dalam perjalanan, dikurangi backlog"
)


def stock_sentence(result: Mapping[str, Any]) -> str:
    """The national stock the timing starts from, said with what it counts."""
    return (
        f"Stok nasional {number(result['national_stock'])} keping ({NATIONAL_STOCK_MEANING}) "
        f"per {fmt_day(date.fromisoformat(result['as_of']))}."
    )


def timing_context(*, session: Session, today: date) -> dict[str, Any]:
    """What a page shows of the procurement timing (``planner/_procurement_timing.html``)."""
    latest = latest_current(session=session)
    if latest is None:
        return {"procurement_timing": None}
    _, result = latest
    return {
        "procurement_timing": {
            "sentence": sentence(result, today),
            "stock": stock_sentence(result),
        }
    }


def current_result(*, session: Session, found: NationalForecast) -> dict[str, Any]:
    """The stored ``result`` with the timing and the months' projected stock for the
    tranches open now, plus those received since the stock was read (their blanks are not
    in the stored start stock yet) on their receipt date. A forecast stored without the
    demand paths keeps its stored timing."""
    result = found.result
    if "daily_mean" not in result:
        return dict(result)
    read_at = result.get("stock_read_at")
    since = datetime.fromisoformat(read_at) if read_at else found.generated_at
    received = list(
        session.exec(
            select(PlannedProcurement).where(
                col(PlannedProcurement.status) == TrancheStatus.received,
                col(PlannedProcurement.updated_at) > since,
            )
        )
    )
    quantities = received_quantities(session=session, tranches=received)
    arrivals = tranche_arrivals(
        [(t.expected_on, t.quantity) for t in open_tranches(session=session)]
        + [
            (t.received_on or t.expected_on, quantities.get(t.id or 0, t.quantity))
            for t in received
        ]
    )
    return with_tranches(result, arrivals)


def latest_current(*, session: Session) -> tuple[NationalForecast, dict[str, Any]] | None:
    """The latest national forecast and its result as of now (``current_result``)."""
    found = latest_national(session=session)
    return None if found is None else (found, current_result(session=session, found=found))


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
    latest = latest_current(session=session)
    order_by = _date(latest[1].get("order_by")) if latest else None
    if latest is None or order_by is None or order_by > today + timedelta(days=within_days):
        return None
    return f"{stock_sentence(latest[1])} {sentence(latest[1], today)}"


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None
