"""The stock projection: stock-out date, probabilities and days of cover."""

from datetime import date, timedelta

import numpy as np
import pytest

from forecast.projection import (
    DEFAULT_LEVEL_SIGMA_WEEK,
    incoming_supply,
    level_sigma_per_week,
    project,
    sample_demand_paths,
)

FIRST = date(2026, 3, 2)


def paths_for(mean: np.ndarray, sigma: float = 0.1, seed: int = 1) -> np.ndarray:
    return sample_demand_paths(
        mean,
        rel_errors=np.zeros(0),
        level_sigma_week=sigma,
        n_paths=400,
        rng=np.random.default_rng(seed),
    )


def test_constant_demand_runs_out_on_the_first_day_it_cannot_be_met() -> None:
    mean = np.full(90, 10.0)
    result = project(
        first_day=FIRST, on_hand=200, backlog=0, incoming={}, mean=mean, paths=paths_for(mean)
    )
    # 200 blanks cover days 0..19 exactly; day 20 is the first with unmet demand.
    assert result.stockout_date == FIRST + timedelta(days=20)
    assert result.days_of_cover == 20.0
    assert result.projected_stock[19] == 0
    assert result.mean_daily_demand == 10.0


def test_backlog_is_served_first_and_brings_the_stockout_forward() -> None:
    mean = np.full(90, 10.0)
    paths = paths_for(mean)
    without = project(first_day=FIRST, on_hand=200, backlog=0, incoming={}, mean=mean, paths=paths)
    with_backlog = project(
        first_day=FIRST, on_hand=200, backlog=50, incoming={}, mean=mean, paths=paths
    )
    assert without.stockout_date is not None and with_backlog.stockout_date is not None
    assert (without.stockout_date - with_backlog.stockout_date).days == 5


def test_incoming_shipment_moves_the_stockout_date_by_what_it_covers() -> None:
    mean = np.full(90, 10.0)
    paths = paths_for(mean)
    base = project(first_day=FIRST, on_hand=200, backlog=0, incoming={}, mean=mean, paths=paths)
    arriving = {FIRST + timedelta(days=15): 300}
    later = project(
        first_day=FIRST, on_hand=200, backlog=0, incoming=arriving, mean=mean, paths=paths
    )
    assert base.stockout_date is not None and later.stockout_date is not None
    assert (later.stockout_date - base.stockout_date).days == 30
    assert later.stockout_probability["30"] < base.stockout_probability["30"]


def test_shipment_arriving_after_the_stockout_does_not_prevent_it() -> None:
    mean = np.full(90, 10.0)
    paths = paths_for(mean)
    late = {FIRST + timedelta(days=40): 1000}
    result = project(first_day=FIRST, on_hand=200, backlog=0, incoming=late, mean=mean, paths=paths)
    assert result.stockout_date == FIRST + timedelta(days=20)
    assert result.projected_stock[-1] > 0


def test_no_stockout_within_the_horizon() -> None:
    mean = np.full(90, 10.0)
    result = project(
        first_day=FIRST, on_hand=5000, backlog=0, incoming={}, mean=mean, paths=paths_for(mean)
    )
    assert result.stockout_date is None
    assert result.stockout_probability == {"14": 0.0, "30": 0.0, "60": 0.0}


def test_no_demand_means_no_days_of_cover_figure() -> None:
    mean = np.zeros(90)
    result = project(
        first_day=FIRST, on_hand=10, backlog=0, incoming={}, mean=mean, paths=paths_for(mean)
    )
    assert result.days_of_cover is None
    assert result.stockout_date is None


@pytest.mark.parametrize("seed", range(8))
def test_probabilities_never_decrease_with_the_horizon(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mean = rng.uniform(0, 40, size=90) * np.array([1, 1, 1, 1, 1, 0.5, 0])[np.arange(90) % 7]
    on_hand = int(rng.integers(0, 2500))
    incoming = {FIRST + timedelta(days=int(rng.integers(0, 90))): int(rng.integers(0, 900))}
    result = project(
        first_day=FIRST,
        on_hand=on_hand,
        backlog=int(rng.integers(0, 100)),
        incoming=incoming,
        mean=mean,
        paths=paths_for(mean, sigma=float(rng.uniform(0.02, 0.3)), seed=seed),
    )
    p = result.stockout_probability
    assert 0.0 <= p["14"] <= p["30"] <= p["60"] <= 1.0


def test_probability_is_about_one_half_at_the_mean_stockout() -> None:
    mean = np.full(90, 10.0)
    # The mean path runs out on day 30 (index 29 leaves exactly 0 then goes below).
    result = project(
        first_day=FIRST, on_hand=295, backlog=0, incoming={}, mean=mean, paths=paths_for(mean)
    )
    assert result.stockout_probability["14"] < 0.05
    assert 0.3 < result.stockout_probability["30"] < 0.7
    assert result.stockout_probability["60"] > 0.95


def test_sampled_paths_keep_the_forecast_mean_and_band() -> None:
    mean = np.tile([30.0, 28, 27, 29, 25, 10, 0], 13)[:90]
    rel = np.random.default_rng(3).normal(0, 0.2, size=200)
    paths = sample_demand_paths(
        mean, rel_errors=rel, level_sigma_week=0.05, n_paths=4000, rng=np.random.default_rng(4)
    )
    assert paths.shape == (4000, 90)
    assert (paths >= 0).all()
    np.testing.assert_allclose(paths.mean(axis=0), mean, rtol=0.06, atol=0.5)
    result = project(first_day=FIRST, on_hand=0, backlog=0, incoming={}, mean=mean, paths=paths)
    busy = mean > 0
    assert (result.demand_low[busy] < mean[busy]).all()
    assert (result.demand_high[busy] > mean[busy]).all()
    assert (result.demand_high[~busy] == 0).all()


def test_level_sigma_from_backtest_blocks() -> None:
    assert level_sigma_per_week(np.zeros(0), 28) == DEFAULT_LEVEL_SIGMA_WEEK
    # A 10 % miss over four weeks is a walk of about 0.1 * sqrt(3/4) per week.
    assert level_sigma_per_week(np.array([0.1, -0.1]), 28) == pytest.approx(0.0866, abs=1e-3)
    assert level_sigma_per_week(np.array([0.0, 0.0]), 28) == 0.02


def test_points_are_json_ready() -> None:
    mean = np.full(3, 10.0)
    result = project(
        first_day=FIRST, on_hand=25, backlog=0, incoming={}, mean=mean, paths=paths_for(mean)
    )
    points = result.points()
    assert points[0]["date"] == "2026-03-02"
    assert [p["projected_stock"] for p in points] == [15.0, 5.0, -5.0]
    assert set(points[0]) == {
        "date",
        "demand_mean",
        "demand_low",
        "demand_high",
        "projected_stock",
    }


def test_an_approved_request_not_yet_dispatched_counts_as_incoming_supply() -> None:
    supply = incoming_supply(
        first_day=FIRST,
        in_transit={FIRST + timedelta(days=4): 300},
        approved=[(FIRST - timedelta(days=2), 500), (FIRST - timedelta(days=20), 100)],
        days_after_approval=9,
    )
    # Approved two days before the first projected day, dispatched and carried in 9 days;
    # one approved long ago is overdue and expected on the first day.
    assert supply == {FIRST + timedelta(days=4): 300, FIRST + timedelta(days=7): 500, FIRST: 100}
    mean = np.full(90, 50.0)
    without = project(
        first_day=FIRST, on_hand=400, backlog=0, incoming={}, mean=mean, paths=paths_for(mean)
    )
    with_supply = project(
        first_day=FIRST, on_hand=400, backlog=0, incoming=supply, mean=mean, paths=paths_for(mean)
    )
    assert without.stockout_date == FIRST + timedelta(days=8)
    assert with_supply.stockout_date == FIRST + timedelta(days=26)


def test_risk_probability_at_the_office_horizon_comes_from_the_same_paths() -> None:
    mean = np.full(90, 10.0)
    paths = paths_for(mean, sigma=0.2)

    def at(horizon: int | None) -> float | None:
        return project(
            first_day=FIRST,
            on_hand=200,
            backlog=0,
            incoming={},
            mean=mean,
            paths=paths,
            risk_horizon_days=horizon,
        ).risk_probability

    # 200 blanks last 20 days on the mean path: a horizon well short of that is safe, one
    # well beyond is almost sure to run out, and the share grows with the horizon.
    short, middle, long = at(12), at(20), at(45)
    assert short is not None and middle is not None and long is not None
    assert short < 0.05 and 0.2 < middle < 0.8 and long > 0.95
    # The same paths as the fixed horizons: a 30-day horizon gives P30 exactly.
    fixed = project(first_day=FIRST, on_hand=200, backlog=0, incoming={}, mean=mean, paths=paths)
    assert at(30) == fixed.stockout_probability["30"]
    # Beyond the forecast its last day counts; no horizon, no figure.
    assert at(400) == at(90)
    assert fixed.risk_probability is None and fixed.risk_horizon_days is None
