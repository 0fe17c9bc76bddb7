"""National demand a year ahead (issue 13 item 1) and, from it, the procurement timing
(item 3, ``forecast.procurement``): made by the nightly job and ``blangko forecast
national``, stored in ``national_forecasts``.

Demand is the forecasts' own (``forecast.series``: print requests, days out of stock left
out), summed over the offices (``national_series``), and turned into blanks with the
share spoiled in printing over the last year (``blangko.spoilage``): blanks used = prints +
spoiled. Three candidates are backtested at a few origins in the last year, each on the
180 days after its origin:

- ``national_prophet``: one Prophet model of the national sum (trend, weekly and yearly
  seasonality, public holidays, cuti bersama, the Lebaran windows; with
  ``BLANGKO_NATIONAL_ELECTION_EFFECT`` also the run-up to a general election);
- ``national_weekday_median``: the offices' fallback model on the national sum;
- ``offices_weekday_median``: the sum of every office's own fallback forecast. (The
  offices' Prophet models are the nightly run's 90-day work; fitting each office a year
  ahead at every backtest origin would take minutes.)

The one with the lowest MASE, compared on the origins every candidate was scored on,
forecasts the year. Sample paths around it (``forecast.projection``: a demand level
drifting week by week, as far as the backtest's 180-day blocks missed, times day-to-day
noise) give the 80 % band: each path is summed per month before the percentiles are
taken, so a month's band is the band of its total, not the sum of daily bands (which
would be far too wide)."""

import logging
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, select

from blangko.db import get_engine, session_scope
from blangko.errors import InvalidState
from blangko.fmt import number
from blangko.models import Office, utcnow
from blangko.offices import NATIONAL
from blangko.settings import get_settings
from blangko.spoilage import last_year_spoilage
from blangko.stock import stock_positions
from blangko.tranches import open_tranches
from forecast.backtest import Scores, mase_scale
from forecast.calendar import WorkCalendar, calendar_for
from forecast.models import ModelSettings, prophet_forecast, weekday_median
from forecast.national_store import store_national
from forecast.procurement import next_tranche
from forecast.projection import level_sigma_per_week, sample_demand_paths
from forecast.runner import forecast_as_of
from forecast.series import DemandSeries, load_series, national_series

log = logging.getLogger(__name__)

NATIONAL_PROPHET = "national_prophet"
NATIONAL_WEEKDAY_MEDIAN = "national_weekday_median"
OFFICES_WEEKDAY_MEDIAN = "offices_weekday_median"
CANDIDATES = (NATIONAL_PROPHET, NATIONAL_WEEKDAY_MEDIAN, OFFICES_WEEKDAY_MEDIAN)

# General elections (pemilu): first-time voters and residents who moved need a KTP-el to
# be on the voter list, so demand rises in the months before the vote (FACTS §2). Add the
# next one here when the KPU has set its date.
ELECTION_DAYS = (date(2014, 4, 9), date(2019, 4, 17), date(2024, 2, 14))
ELECTION_RUN_UP_DAYS = 180
TOTAL_ERROR_DAYS = (90, 180)
MIN_TRAIN_DAYS = 56  # days of history an origin needs before it
LOW, HIGH, PLANNING = 10, 90, 80  # percentiles: the 80 % band, the planning demand


@dataclass(frozen=True)
class NationalSettings:
    """What a national forecast depends on besides the data; stored with it."""

    months: int = 12
    history_days: int = 3 * 365 + 31
    backtest_origins: int = 3
    backtest_step_days: int = 60
    backtest_horizon_days: int = 180
    prophet_window_days: int = 1100
    sample_paths: int = 1000
    election_effect: bool = False
    target_days: int = 45
    lead_days: int = 60

    @classmethod
    def from_environment(cls, **overrides: Any) -> "NationalSettings":
        """Defaults with ``BLANGKO_NATIONAL_TARGET_DAYS``, ``BLANGKO_PROCUREMENT_LEAD_DAYS``
        and ``BLANGKO_NATIONAL_ELECTION_EFFECT``."""
        settings = get_settings()
        values: dict[str, Any] = {
            "target_days": settings.national_target_days,
            "lead_days": settings.procurement_lead_days,
            "election_effect": settings.national_election_effect,
        }
        return cls(**{**values, **overrides})

    def model_settings(self) -> ModelSettings:
        return ModelSettings(prophet_window_days=self.prophet_window_days)


# --- pure functions ----------------------------------------------------------------------


def horizon_days(first_day: date, months: int) -> int:
    """Days from ``first_day`` to the end of ``months`` full calendar months: the rest of
    the month of ``first_day`` (when it is not the 1st) and then ``months`` whole months,
    so twelve months are never fewer than 365 days."""
    whole = months + (first_day.day != 1)
    year, month = divmod(first_day.month - 1 + whole, 12)
    return (date(first_day.year + year, month + 1, 1) - first_day).days


def month_spans(first_day: date, days: int) -> list[tuple[date, int, int]]:
    """(first of the month, offset of its first forecast day, forecast days in it) for
    each month of ``days`` days from ``first_day``."""
    spans = []
    offset = 0
    while offset < days:
        current = first_day + timedelta(days=offset)
        nxt = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        length = min((nxt - current).days, days - offset)
        spans.append((current.replace(day=1), offset, length))
        offset += length
    return spans


@dataclass(frozen=True)
class MonthBand:
    """One month's total demand: the mean and the 80 % band of the total."""

    month: date
    days: int
    mean: float
    low: float
    high: float


def monthly_band(first_day: date, mean: np.ndarray, paths: np.ndarray) -> list[MonthBand]:
    """Monthly totals of the daily ``mean`` and of each sampled path (``paths``: paths ×
    days); the band is the 10th and 90th percentile of the paths' totals."""
    bands = []
    for month, offset, days in month_spans(first_day, len(mean)):
        totals = paths[:, offset : offset + days].sum(axis=1)
        low, high = np.percentile(totals, [LOW, HIGH])
        total = float(mean[offset : offset + days].sum())
        bands.append(MonthBand(month, days, total, float(low), float(high)))
    return bands


def election_regressor(index: pd.DatetimeIndex, days: Sequence[date] = ELECTION_DAYS) -> np.ndarray:
    """1 on the ``ELECTION_RUN_UP_DAYS`` days before each election day, else 0."""
    values = np.zeros(len(index))
    for election in days:
        first = pd.Timestamp(election - timedelta(days=ELECTION_RUN_UP_DAYS))
        values[(index >= first) & (index < pd.Timestamp(election))] = 1.0
    return values


def regressors(calendar: WorkCalendar, election_effect: bool) -> pd.DataFrame:
    """Prophet's regressors: the calendar's holidays and, when asked, the election run-up
    (a regressor the window has never seen is left out of the fit)."""
    frame = calendar.holiday_regressors()
    if election_effect:
        frame = frame.assign(pemilu=election_regressor(frame.index))
    return frame


def total_error(forecast: np.ndarray, actual: np.ndarray, days: int) -> float | None:
    """Relative error of the forecast total of the first ``days`` days (days without
    data left out of both); None when the block is shorter or holds no demand."""
    if len(actual) < days:
        return None
    known = ~np.isnan(actual[:days])
    truth = float(actual[:days][known].sum())
    if truth <= 0:
        return None
    return float(forecast[:days][known].sum()) / truth - 1.0


def forecast_with(
    name: str,
    national: DemandSeries,
    offices: Sequence[DemandSeries],
    cut: int,
    horizon: int,
    calendar: WorkCalendar,
    holidays: pd.DataFrame,
    settings: NationalSettings,
) -> np.ndarray:
    """Candidate ``name``'s daily forecast of the ``horizon`` days after the first ``cut``
    days of the national series, from what was known then."""
    train = national.values[:cut]
    if name == NATIONAL_PROPHET:
        mean, _ = prophet_forecast(
            train, national.start, horizon, holidays, settings.model_settings()
        )
        return mean
    if name == NATIONAL_WEEKDAY_MEDIAN:
        return weekday_median(train, national.start, horizon, calendar)
    total = np.zeros(horizon)
    last = national.start + timedelta(days=cut)
    for office in offices:
        own = office.values[: max((last - office.start).days, 0)]
        if np.count_nonzero(~np.isnan(own)):
            total += weekday_median(own, office.start, horizon, calendar)
    return total


@dataclass
class CandidateScores:
    """One candidate over the backtest origins."""

    scores: Scores = field(default_factory=Scores)
    errors: dict[int, list[float]] = field(default_factory=dict)
    """Relative error of the 90- and 180-day totals, per origin."""
    by_origin: dict[int, float] = field(default_factory=dict)
    """MASE at each origin it was scored on (days of history before the origin)."""

    def add(self, cut: int, forecast: np.ndarray, actual: np.ndarray, scale: float) -> None:
        """Scores the forecast made at origin ``cut``."""
        scored = len(self.scores.errors)
        self.scores.add(forecast, actual, scale)
        if len(self.scores.errors) > scored:
            self.by_origin[cut] = self.scores.errors[-1]
        for days in TOTAL_ERROR_DAYS:
            error = total_error(forecast, actual, days)
            if error is not None:
                self.errors.setdefault(days, []).append(error)

    @property
    def mase(self) -> float | None:
        return self.scores.mase

    def mean_abs_error(self, days: int) -> float | None:
        values = self.errors.get(days, [])
        return float(np.mean(np.abs(values))) if values else None

    def public(self) -> dict[str, Any]:
        return {
            "mase": _round(self.mase, 3),
            "error_90d": _round(self.mean_abs_error(90), 4),
            "error_180d": _round(self.mean_abs_error(180), 4),
            "errors_90d": [round(e, 4) for e in self.errors.get(90, [])],
            "errors_180d": [round(e, 4) for e in self.errors.get(180, [])],
        }


def backtest_cuts(length: int, settings: NationalSettings) -> list[int]:
    """Origins (as days of history before them): the last one ``backtest_horizon_days``
    before the end, the others ``backtest_step_days`` apart before it."""
    cuts = [
        length - settings.backtest_horizon_days - k * settings.backtest_step_days
        for k in range(settings.backtest_origins - 1, -1, -1)
    ]
    return [c for c in cuts if c >= MIN_TRAIN_DAYS]


def backtest(
    national: DemandSeries,
    offices: Sequence[DemandSeries],
    calendar: WorkCalendar,
    holidays: pd.DataFrame,
    settings: NationalSettings,
) -> tuple[list[int], dict[str, CandidateScores]]:
    """Each candidate refitted at each origin and scored on the block after it: MASE
    (scaled by the in-sample seven-day naive error) and the relative error of the 90- and
    180-day totals. Prophet is tried where the history before the origin allows it.
    Returns the origins used and the scores."""
    cuts = []
    results = {name: CandidateScores() for name in CANDIDATES}
    block = settings.backtest_horizon_days
    min_prophet = settings.model_settings().prophet_min_days
    for cut in backtest_cuts(len(national.values), settings):
        train, actual = national.values[:cut], national.values[cut : cut + block]
        if np.count_nonzero(~np.isnan(train)) < MIN_TRAIN_DAYS:
            continue  # the offices had hardly begun reporting then
        cuts.append(cut)
        scale = mase_scale(train)
        for name in CANDIDATES:
            if name == NATIONAL_PROPHET and np.count_nonzero(~np.isnan(train)) < min_prophet:
                continue
            try:
                forecast = forecast_with(
                    name, national, offices, cut, block, calendar, holidays, settings
                )
            except Exception as error:
                log.warning("national backtest: %s failed: %s", name, error)
                continue
            results[name].add(cut, forecast, actual, scale)
    return cuts, results


def choose(results: Mapping[str, CandidateScores]) -> str:
    """The candidate with the lowest mean MASE over the origins every scored candidate
    was scored on (Prophet is skipped where the history is short, the fallbacks are not:
    a mean over other origins is no comparison). Should the scored candidates share no
    origin, each one's own mean decides. The national fallback when none could be scored;
    the order of ``CANDIDATES`` breaks ties."""
    scored = {name: r.by_origin for name, r in results.items() if r.by_origin}
    if not scored:
        return NATIONAL_WEEKDAY_MEDIAN
    common = set.intersection(*(set(origins) for origins in scored.values()))
    order = list(results)
    return min(
        (
            float(np.mean([origins[c] for c in (common or origins)])),
            order.index(name),
            name,
        )
        for name, origins in scored.items()
    )[2]


# --- the forecast ------------------------------------------------------------------------


@dataclass
class NationalInputs:
    """What a national forecast reads from the database."""

    as_of: date
    offices: list[DemandSeries]
    on_hand: int
    in_transit: int
    backlog: int
    tranches: dict[date, int]
    spoilage_ratio: float
    read_at: datetime | None = None
    """When the stock was read: tranches received after it are not in ``on_hand``."""

    @property
    def start_stock(self) -> int:
        """Every office's stock (Ditjen's included) and all blanks on their way between
        offices, less every office's backlog: the national projection's start (as in
        ``forecast.runner.project_office``)."""
        return self.on_hand + self.in_transit - self.backlog


def tranche_arrivals(tranches: Iterable[tuple[date, int]]) -> dict[date, int]:
    """Blanks expected per day from (date, quantity) pairs."""
    arrivals: dict[date, int] = {}
    for day, quantity in tranches:
        arrivals[day] = arrivals.get(day, 0) + quantity
    return arrivals


def load_national_inputs(
    *, session: Session, as_of: date, settings: NationalSettings
) -> NationalInputs:
    start = as_of - timedelta(days=settings.history_days - 1)
    codes = [c for c in session.exec(select(Office.code).order_by(Office.code)).all()]
    branch = [c for c in codes if c != NATIONAL]
    series = load_series(session=session, office_codes=branch, start=start, end=as_of)
    read_at = utcnow()
    positions = stock_positions(session=session).values()
    tranches = tranche_arrivals((t.expected_on, t.quantity) for t in open_tranches(session=session))
    return NationalInputs(
        read_at=read_at,
        as_of=as_of,
        offices=list(series.values()),
        on_hand=sum(p.on_hand for p in positions),
        in_transit=sum(p.in_transit_out for p in positions),
        backlog=sum(p.backlog for p in positions),
        tranches=tranches,
        spoilage_ratio=last_year_spoilage(session=session, as_of=as_of),
    )


@dataclass(frozen=True)
class NationalResult:
    """A national forecast as stored: ``result`` (what the API returns) and ``backtest``."""

    model: str
    result: dict[str, Any]
    backtest: dict[str, Any]


def forecast_national(inputs: NationalInputs, settings: NationalSettings) -> NationalResult:
    """Backtests the candidates, forecasts the year with the best, samples demand paths
    and reads the monthly band and the procurement timing from them."""
    first_day = inputs.as_of + timedelta(days=1)
    horizon = horizon_days(first_day, settings.months)
    reach = horizon + settings.lead_days + settings.target_days
    calendar = calendar_for(
        inputs.as_of - timedelta(days=settings.history_days), first_day + timedelta(days=reach)
    )
    national = national_series(inputs.offices, calendar)
    if national is None:
        raise InvalidState("Belum ada laporan harian: prakiraan nasional belum dapat dibuat.")
    holidays = regressors(calendar, settings.election_effect)
    cuts, results = backtest(national, inputs.offices, calendar, holidays, settings)
    model = choose(results)
    cut = len(national.values)
    try:
        demand = forecast_with(
            model, national, inputs.offices, cut, reach, calendar, holidays, settings
        )
    except Exception as error:
        log.warning("national forecast: %s failed (%s); fallback used", model, error)
        model = NATIONAL_WEEKDAY_MEDIAN
        demand = forecast_with(
            model, national, inputs.offices, cut, reach, calendar, holidays, settings
        )
    chosen = results[model].scores
    blanks = 1.0 + inputs.spoilage_ratio
    mean = demand * blanks
    paths = sample_demand_paths(
        mean,
        rel_errors=np.concatenate(chosen.rel) if chosen.rel else np.zeros(0),
        level_sigma_week=level_sigma_per_week(
            np.array(chosen.level), settings.backtest_horizon_days
        ),
        n_paths=settings.sample_paths,
        rng=np.random.default_rng(zlib.crc32(inputs.as_of.isoformat().encode())),
    )
    cumulative_p80 = np.percentile(np.cumsum(paths, axis=1), PLANNING, axis=0)
    months = [
        {
            "month": band.month.strftime("%Y-%m"),
            "days": band.days,
            "demand_mean": round(band.mean),
            "demand_low": round(band.low),
            "demand_high": round(band.high),
        }
        for band in monthly_band(first_day, mean[:horizon], paths[:, :horizon])
    ]
    planning = {
        "as_of": inputs.as_of.isoformat(),
        "first_day": first_day.isoformat(),
        "last_day": (first_day + timedelta(days=horizon - 1)).isoformat(),
        "months": months,
        "target_days": settings.target_days,
        "procurement_lead_days": settings.lead_days,
        "national_stock": inputs.start_stock,
        # What the timing rule needs, so that readers redo it with the tranches open then.
        "daily_mean": [round(float(x), 3) for x in mean],
        "cumulative_p80": [
            round(float(x), 3) for x in cumulative_p80[: horizon + settings.lead_days]
        ],
        "stock_read_at": inputs.read_at.isoformat() if inputs.read_at else None,
    }
    result = {
        **with_tranches(planning, inputs.tranches),
        "on_hand": inputs.on_hand,
        "in_transit": inputs.in_transit,
        "backlog": inputs.backlog,
        "spoilage_ratio": round(inputs.spoilage_ratio, 4),
        "election_effect": settings.election_effect,
    }
    scores = results[model].public()
    backtest_public = {
        "model": model,
        "mase": scores["mase"],
        "error_90d": scores["error_90d"],
        "error_180d": scores["error_180d"],
        "origins": [(national.start + timedelta(days=c)).isoformat() for c in cuts],
        "horizon_days": settings.backtest_horizon_days,
        "candidates": {name: r.public() for name, r in results.items()},
    }
    return NationalResult(model=model, result=result, backtest=backtest_public)


def with_tranches(result: Mapping[str, Any], tranches: Mapping[date, int]) -> dict[str, Any]:
    """``result`` with the procurement timing and the months' projected stock worked out
    (``forecast.procurement.next_tranche``) for these tranches, from the stored daily mean
    and p80 cumulative demand and the start stock; as stored when those are missing (a
    forecast made before they were kept)."""
    if "daily_mean" not in result or "cumulative_p80" not in result:
        return dict(result)
    first_day = date.fromisoformat(result["first_day"])
    horizon = (date.fromisoformat(result["last_day"]) - first_day).days + 1
    timing = next_tranche(
        first_day=first_day,
        start_stock=result["national_stock"],
        tranches=tranches,
        mean=np.asarray(result["daily_mean"], dtype=float),
        cumulative_p80=np.asarray(result["cumulative_p80"], dtype=float),
        horizon_days=horizon,
        target_days=int(result["target_days"]),
        lead_days=int(result["procurement_lead_days"]),
    )
    months = [
        {
            **month,
            "projected_stock": round(float(timing.stock[offset + days - 1])),
            "target_stock": round(float(timing.cover[offset + days - 1])),
        }
        for month, (_, offset, days) in zip(
            result["months"], month_spans(first_day, horizon), strict=True
        )
    ]
    return {
        **result,
        "months": months,
        "stock_below_target_on": _iso(timing.below_target_on),
        "next_tranche_quantity": timing.quantity,
        "arrive_by": _iso(timing.arrive_by),
        "order_by": _iso(timing.order_by),
        "tranches": [
            {"expected_on": day.isoformat(), "quantity": quantity}
            for day, quantity in sorted(tranches.items())
        ],
    }


# --- gathering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalOutcome:
    """What ``make_national_forecast`` stored, for the command line and the nightly log."""

    id: int | None
    model: str
    result: dict[str, Any]
    backtest: dict[str, Any]
    seconds: float

    def line(self) -> str:
        r, b = self.result, self.backtest

        def share(value: float | None) -> str:
            return "–" if value is None else f"{value * 100:.1f} %"

        mase = "–" if b["mase"] is None else f"{b['mase']:.2f}"
        if r["order_by"]:
            timing = (
                f"stock below {r['target_days']} days' cover on {r['stock_below_target_on']}; "
                f"next tranche {number(r['next_tranche_quantity'])} blanks, arrive by "
                f"{r['arrive_by']}, order by {r['order_by']}"
            )
        else:
            timing = f"stock above {r['target_days']} days' cover until {r['last_day']}"
        return (
            f"National forecast #{self.id} ({self.model}; backtest MASE {mase}, 90-day total "
            f"off {share(b['error_90d'])}, 180-day {share(b['error_180d'])}): {timing} "
            f"({self.seconds:.1f} s)."
        )


def make_national_forecast(
    *,
    engine: Engine | None = None,
    settings: NationalSettings | None = None,
    as_of: date | None = None,
) -> NationalOutcome:
    """Reads the ledger, forecasts national demand a year ahead with the procurement
    timing, and stores it (``national_forecasts``). ``as_of``: the origin (default: the
    newest reported day, never after today)."""
    began = time.perf_counter()
    engine = engine or get_engine()
    settings = settings or NationalSettings.from_environment()
    with session_scope(engine, write=False) as session:
        as_of = as_of or forecast_as_of(session)
        inputs = load_national_inputs(session=session, as_of=as_of, settings=settings)
    made = forecast_national(inputs, settings)
    seconds = round(time.perf_counter() - began, 2)
    with session_scope(engine) as session:
        row_id = store_national(
            session=session,
            as_of=as_of,
            model=made.model,
            seconds=seconds,
            result=made.result,
            backtest=made.backtest,
        ).id
    log.info("national forecast %s: %s in %.1f s", row_id, made.model, seconds)
    return NationalOutcome(row_id, made.model, made.result, made.backtest, seconds)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
