"""Scores of the warnings a replay made: how often a warning was right, how many
stock-outs were warned in time, and how well the stock-out probabilities are calibrated.

Pure functions of plain data (issue 12 §4). A replay supplies one ``Decision`` per origin
and office (what was forecast and decided that day, with what was known then) and the
``Truth`` that followed; ``score`` turns them into the figures a planner reads:

- the truth a warning is about is the **counterfactual** stock-out: the first day on
  which the stock and the supply known at the origin no longer cover the demand that
  really came. A warning that led to a resupply is not a false alarm;
- recall counts the **actual** stock-outs (days with no stock while residents waited),
  each warned at least the office's lead time ahead;
- Brier scores and the reliability table compare P(stock-out ≤ 14/30/60 days) with the
  counterfactual outcome;
- a false alarm is what a planner sees: an alert, i.e. a run of warnings of one office at
  consecutive origins, none of which came true. Precision counts warnings (each origin's
  decision), false alarms count alerts, so neither depends on how often the replay looks.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from statistics import median

HORIZONS = (14, 30, 60)
BIN_EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class Decision:
    """What the forecast said and the alert rule decided at one origin for one office."""

    office_code: str
    origin: date
    warned: bool
    lead_time_days: int  # the office's p90 lead time, as learned at the origin
    horizon_days: int  # lead time + safety days: how far ahead the warning looks
    probability: dict[int, float]  # P(stock-out within h days), h in HORIZONS
    stockout_date: date | None  # the forecast's (mean path) stock-out date


@dataclass(frozen=True)
class Truth:
    """What followed an origin for one office: the counterfactual stock-out date (no new
    supply after the origin), or None when the known supply covered the real demand
    over the whole window that was observed (``observed_days``)."""

    counterfactual_stockout: date | None
    observed_days: int


@dataclass(frozen=True)
class StockOut:
    """One actual stock-out episode: its first day without stock while residents waited."""

    office_code: str
    first_day: date


@dataclass(frozen=True)
class Bin:
    horizon: int
    low: float
    high: float
    predicted: float
    observed: float
    count: int


@dataclass(frozen=True)
class Scores:
    origins: int
    offices: int
    months: float
    stockouts: int
    warned: int  # actual stock-outs warned at least the lead time ahead
    warnings: int
    true_warnings: int
    false_alarms: int  # alerts (runs of warnings at consecutive origins) none of which came true
    recall: float | None
    precision: float | None
    false_alarms_per_100_offices_month: float
    brier: dict[str, float | None]
    calibration_error_30: float | None
    median_date_error_days: float | None
    reliability: list[Bin] = field(default_factory=list)


def counterfactual_stockout(
    *,
    origin: date,
    available: int,
    incoming: dict[date, int],
    demand: Sequence[tuple[date, int]],
) -> date | None:
    """The first day after ``origin`` whose real demand the stock at the origin
    (``available`` = on hand − backlog) and the supply known then (``incoming`` on its
    expected dates) could not meet; None when they covered every day of ``demand``."""
    level = available
    for day, quantity in sorted(demand):
        if day <= origin:
            continue
        level += incoming.get(day, 0)
        level -= quantity
        if level < 0:
            return day
    return None


def _within(truth: Truth, origin: date, days: int) -> bool | None:
    """Whether the counterfactual stock-out came within ``days`` of the origin; None when
    too little was observed to say no."""
    cf = truth.counterfactual_stockout
    if cf is not None and (cf - origin).days <= days:
        return True
    return False if truth.observed_days >= days else None


def score(
    decisions: Sequence[tuple[Decision, Truth]],
    stockouts: Sequence[StockOut],
    *,
    origin_step_days: int = 14,
) -> Scores:
    """The replay's figures (see the module docstring)."""
    origins = sorted({d.origin for d, _ in decisions})
    offices = {d.office_code for d, _ in decisions}
    span_days = (origins[-1] - origins[0]).days + origin_step_days if origins else 0
    months = span_days / 30.4375

    # Precision and false alarms: warnings against the counterfactual within the horizon.
    judged = [(d, _within(t, d.origin, d.horizon_days)) for d, t in decisions if d.warned]
    decided = [(d, ok) for d, ok in judged if ok is not None]
    true_warnings = sum(1 for _, ok in decided if ok)
    false_alarms = _false_alarms(judged, origins)

    # Recall: an actual stock-out is warned when some origin between (lead time + safety
    # + one origin step) and the lead time before it warned the office.
    by_office: dict[str, list[Decision]] = {}
    for d, _ in decisions:
        by_office.setdefault(d.office_code, []).append(d)
    counted = 0
    warned = 0
    for event in stockouts:
        history = by_office.get(event.office_code, [])
        eligible = [
            d
            for d in history
            if d.lead_time_days
            <= (event.first_day - d.origin).days
            <= d.horizon_days + origin_step_days
        ]
        if not eligible:
            continue  # the replay did not look far enough ahead of this one
        counted += 1
        if any(d.warned for d in eligible):
            warned += 1

    brier: dict[str, float | None] = {}
    reliability: list[Bin] = []
    for h in HORIZONS:
        pairs = [
            (d.probability.get(h, 0.0), float(y))
            for d, t in decisions
            if (y := _within(t, d.origin, h)) is not None
        ]
        brier[str(h)] = (
            round(sum((p - y) ** 2 for p, y in pairs) / len(pairs), 4) if pairs else None
        )
        reliability.extend(_bins(h, pairs))
    bins_30 = [b for b in reliability if b.horizon == 30]
    total_30 = sum(b.count for b in bins_30)
    calibration = (
        round(sum(b.count * abs(b.observed - b.predicted) for b in bins_30) / total_30, 4)
        if total_30
        else None
    )
    errors = [
        abs((d.stockout_date - t.counterfactual_stockout).days)
        for d, t in decisions
        if d.stockout_date is not None and t.counterfactual_stockout is not None
    ]
    return Scores(
        origins=len(origins),
        offices=len(offices),
        months=round(months, 2),
        stockouts=counted,
        warned=warned,
        warnings=len(decided),
        true_warnings=true_warnings,
        false_alarms=false_alarms,
        recall=round(warned / counted, 4) if counted else None,
        precision=round(true_warnings / len(decided), 4) if decided else None,
        false_alarms_per_100_offices_month=round(false_alarms / len(offices) * 100 / months, 3)
        if offices and months
        else 0.0,
        brier=brier,
        calibration_error_30=calibration,
        median_date_error_days=float(median(errors)) if errors else None,
        reliability=reliability,
    )


def _false_alarms(judged: Sequence[tuple[Decision, bool | None]], origins: list[date]) -> int:
    """Alerts none of whose warnings came true: an office's warnings at consecutive
    origins are one alert (the daily alert stays open between them); an alert of which
    no warning could be judged yet is not counted."""
    index = {origin: i for i, origin in enumerate(origins)}
    by_office: dict[str, list[tuple[int, bool | None]]] = {}
    for d, ok in judged:
        by_office.setdefault(d.office_code, []).append((index[d.origin], ok))
    count = 0
    for warnings in by_office.values():
        warnings.sort(key=lambda w: w[0])
        run: list[bool | None] = []
        for i, (position, ok) in enumerate(warnings):
            run.append(ok)
            last = i + 1 == len(warnings) or warnings[i + 1][0] != position + 1
            if last:
                if False in run and True not in run:
                    count += 1
                run = []
    return count


def _bins(horizon: int, pairs: list[tuple[float, float]]) -> list[Bin]:
    bins = []
    for i, (low, high) in enumerate(pairwise(BIN_EDGES)):
        last = i == len(BIN_EDGES) - 2
        inside = [(p, y) for p, y in pairs if low <= p < high or (last and p == high)]
        if not inside:
            continue
        bins.append(
            Bin(
                horizon=horizon,
                low=low,
                high=high,
                predicted=round(sum(p for p, _ in inside) / len(inside), 4),
                observed=round(sum(y for _, y in inside) / len(inside), 4),
                count=len(inside),
            )
        )
    return bins


def stockout_episodes(office_code: str, days: Sequence[tuple[date, bool]]) -> list[StockOut]:
    """The first days of the runs of days flagged True (no stock while residents waited)."""
    episodes = []
    previous = False
    for day, out in sorted(days):
        if out and not previous:
            episodes.append(StockOut(office_code=office_code, first_day=day))
        previous = out
    return episodes
