"""The stock projection of one office (or of the whole country): pure functions of the
stock position, the incoming shipments and the demand forecast.

Stock path: on hand − backlog + shipments on their expected dates − cumulative demand.
The stock-out date is the first day whose demand can no longer be met in full (the path
goes below zero). Stock-out probabilities come from sampled demand paths (see
``sample_demand_paths``): the share of paths that go below zero within 14, 30 and 60
days, so they never decrease with the horizon, and within the office's own risk horizon
(its p90 lead time + safety days), the figure the risk rule reads (``blangko.risk``)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

PROBABILITY_HORIZONS = (14, 30, 60)
DEFAULT_LEVEL_SIGMA_WEEK = 0.08
MIN_LEVEL_SIGMA_WEEK = 0.02
MAX_LEVEL_SIGMA_WEEK = 0.5


@dataclass(frozen=True)
class Projection:
    """Daily demand band and stock path, and what they mean for the office."""

    dates: list[date]
    demand_mean: np.ndarray
    demand_low: np.ndarray
    demand_high: np.ndarray
    projected_stock: np.ndarray
    stockout_date: date | None
    stockout_probability: dict[str, float]
    days_of_cover: float | None
    mean_daily_demand: float
    risk_horizon_days: int | None = None
    risk_probability: float | None = None
    """P(stock-out within ``risk_horizon_days``), from the same paths."""

    def points(self) -> list[dict[str, object]]:
        return [
            {
                "date": day.isoformat(),
                "demand_mean": round(float(mean), 1),
                "demand_low": round(float(low), 1),
                "demand_high": round(float(high), 1),
                "projected_stock": round(float(stock), 1),
            }
            for day, mean, low, high, stock in zip(
                self.dates,
                self.demand_mean,
                self.demand_low,
                self.demand_high,
                self.projected_stock,
                strict=True,
            )
        ]


def level_sigma_per_week(level_log_ratios: np.ndarray, block_days: int) -> float:
    """The weekly step of the demand level's random walk, from the backtest: the log
    ratio of actual to forecast demand over a block of ``block_days`` is the mean of the
    walk over that block, whose variance is about σ² × weeks / 3."""
    if level_log_ratios.size == 0:
        return DEFAULT_LEVEL_SIGMA_WEEK
    rms = float(np.sqrt(np.mean(level_log_ratios**2)))
    sigma = rms * np.sqrt(3.0 / max(block_days / 7.0, 1.0))
    return float(np.clip(sigma, MIN_LEVEL_SIGMA_WEEK, MAX_LEVEL_SIGMA_WEEK))


def sample_demand_paths(
    mean: np.ndarray,
    *,
    rel_errors: np.ndarray,
    level_sigma_week: float,
    n_paths: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Demand paths (``n_paths`` × days) around the forecast mean.

    Each path multiplies the mean by a demand level that drifts as a log random walk
    with one step a week (σ from the backtest: how far whole blocks of demand missed the
    forecast) and by day-to-day noise resampled from the model's own relative backtest
    errors (Poisson noise when the backtest has too few of them). The level is
    mean-corrected so the paths' expectation stays the forecast mean."""
    days = len(mean)
    weeks = days // 7 + 1
    steps = rng.normal(0.0, level_sigma_week, size=(n_paths, weeks))
    walk = np.cumsum(steps, axis=1)
    variance = level_sigma_week**2 * np.arange(1, weeks + 1)
    level = np.exp(walk - variance / 2)[:, np.arange(days) // 7]
    expected = mean[None, :] * level
    if rel_errors.size >= 20:
        noise = rng.choice(np.clip(rel_errors, -1.0, 3.0), size=(n_paths, days))
        return np.maximum(expected * (1.0 + noise), 0.0)
    return rng.poisson(expected).astype(float)


def incoming_supply(
    *,
    first_day: date,
    in_transit: Mapping[date, int],
    approved: Iterable[tuple[date, int]] = (),
    days_after_approval: int = 0,
) -> dict[date, int]:
    """The supply the projection counts on, by arrival date: shipments in transit on their
    expected dates, and approved requests not dispatched yet (``(approved_on, quantity)``)
    on approval + the learned dispatch delay and transit (``days_after_approval``). Nothing
    arrives before ``first_day``: what is overdue is expected then."""
    supply: dict[date, int] = {}
    arrivals = [*in_transit.items()] + [
        (approved_on + timedelta(days=days_after_approval), quantity)
        for approved_on, quantity in approved
    ]
    for day, quantity in arrivals:
        arrival = max(day, first_day)
        supply[arrival] = supply.get(arrival, 0) + quantity
    return supply


def project(
    *,
    first_day: date,
    on_hand: int,
    backlog: int,
    incoming: Mapping[date, int],
    mean: np.ndarray,
    paths: np.ndarray,
    risk_horizon_days: int | None = None,
) -> Projection:
    """Projects the stock from ``first_day`` (the day after the last report) over the
    forecast's horizon; with ``risk_horizon_days``, also the probability of a stock-out
    within them (the forecast's last day when they reach beyond it)."""
    days = len(mean)
    arrivals = np.zeros(days)
    for day, quantity in incoming.items():
        offset = (day - first_day).days
        if 0 <= offset < days:
            arrivals[offset] += quantity
    supply = on_hand - backlog + np.cumsum(arrivals)
    stock = supply - np.cumsum(mean)
    below = np.flatnonzero(stock < 0)
    stockout = first_day + timedelta(days=int(below[0])) if below.size else None
    path_stock = supply[None, :] - np.cumsum(paths, axis=1)
    ran_out = np.minimum.accumulate(path_stock, axis=1) < 0
    probability = {str(h): _share(ran_out, h) for h in PROBABILITY_HORIZONS}
    mean_daily = float(mean.mean()) if days else 0.0
    return Projection(
        dates=[first_day + timedelta(days=i) for i in range(days)],
        demand_mean=mean,
        demand_low=np.percentile(paths, 10, axis=0),
        demand_high=np.percentile(paths, 90, axis=0),
        projected_stock=stock,
        stockout_date=stockout,
        stockout_probability=probability,
        days_of_cover=round(on_hand / mean_daily, 1) if mean_daily > 0 else None,
        mean_daily_demand=round(mean_daily, 2),
        risk_horizon_days=risk_horizon_days,
        risk_probability=None if risk_horizon_days is None else _share(ran_out, risk_horizon_days),
    )


def _share(ran_out: np.ndarray, days: int) -> float:
    """The share of paths that ran out within ``days`` (at least one day)."""
    return round(float(ran_out[:, max(1, min(days, ran_out.shape[1])) - 1].mean()), 3)
