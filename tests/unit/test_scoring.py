"""The replay's scores (issue 12 §4) on hand-made decisions whose outcomes are known."""

from datetime import date, timedelta

import pytest

from forecast.scoring import (
    Decision,
    StockOut,
    Truth,
    counterfactual_stockout,
    score,
    stockout_episodes,
)

ORIGIN = date(2026, 1, 5)


def decision(
    office: str,
    origin: date,
    *,
    warned: bool,
    p30: float = 0.5,
    stockout: date | None = None,
    lead: int = 7,
) -> Decision:
    return Decision(
        office_code=office,
        origin=origin,
        warned=warned,
        lead_time_days=lead,
        horizon_days=lead + 14,
        probability={14: p30 / 2, 30: p30, 60: min(1.0, p30 * 1.5)},
        stockout_date=stockout,
    )


def test_counterfactual_stockout_counts_known_supply_against_real_demand() -> None:
    demand = [(ORIGIN + timedelta(days=i), 10) for i in range(0, 20)]
    # 50 on the shelf and 30 arriving on day 3: 80 blanks cover 8 days of 10.
    found = counterfactual_stockout(
        origin=ORIGIN, available=50, incoming={ORIGIN + timedelta(days=3): 30}, demand=demand
    )
    assert found == ORIGIN + timedelta(days=9)
    assert counterfactual_stockout(origin=ORIGIN, available=500, incoming={}, demand=demand) is None


def test_a_warning_that_led_to_a_resupply_is_not_a_false_alarm() -> None:
    # Office A was warned; it was resupplied and never ran out, but without the new supply
    # it would have run out 10 days after the origin: a true warning.
    warned_a = decision("A", ORIGIN, warned=True, p30=0.9, stockout=ORIGIN + timedelta(days=12))
    truth_a = Truth(counterfactual_stockout=ORIGIN + timedelta(days=10), observed_days=90)
    # Office B was warned and would not have run out: a false alarm.
    warned_b = decision("B", ORIGIN, warned=True, p30=0.6)
    truth_b = Truth(counterfactual_stockout=None, observed_days=90)
    scores = score([(warned_a, truth_a), (warned_b, truth_b)], [])
    assert scores.warnings == 2 and scores.true_warnings == 1
    assert scores.precision == 0.5
    assert scores.median_date_error_days == 2.0
    # One false alarm among 2 offices over one origin step (14 days ≈ 0.46 month).
    assert scores.false_alarms_per_100_offices_month == pytest.approx(
        1 / 2 * 100 / (14 / 30.4375), rel=1e-3
    )


def test_a_false_alarm_is_an_alert_not_every_origin_it_stayed_open() -> None:
    origins = [ORIGIN + timedelta(days=7 * i) for i in range(8)]
    never = Truth(counterfactual_stockout=None, observed_days=90)
    # B is warned at origins 0-2 (one alert) and again at 5-6 (a second one), never out.
    # C is warned at origins 0-3; at origin 3 it would have run out: a true alert.
    pairs = []
    for i, origin in enumerate(origins):
        pairs.append((decision("B", origin, warned=i in (0, 1, 2, 5, 6)), never))
        c_truth = Truth(origin + timedelta(days=5), 90) if i == 3 else never
        pairs.append((decision("C", origin, warned=i <= 3), c_truth))
    scores = score(pairs, [], origin_step_days=7)
    assert scores.warnings == 9 and scores.true_warnings == 1
    assert scores.false_alarms == 2
    assert scores.false_alarms_per_100_offices_month == pytest.approx(
        2 / 2 * 100 / (8 * 7 / 30.4375), rel=1e-3
    )


def test_recall_counts_stockouts_warned_at_least_the_lead_time_ahead() -> None:
    origins = [ORIGIN + timedelta(days=14 * i) for i in range(6)]
    # Office A runs out on day 40: warned at the origin of day 28 (12 ≥ lead 7 days ahead).
    # Office B runs out on day 45: warned only at day 42 (3 days ahead, too late).
    pairs = []
    for origin in origins:
        day = (origin - ORIGIN).days
        pairs.append((decision("A", origin, warned=day == 28), Truth(None, 90)))
        pairs.append((decision("B", origin, warned=day == 42), Truth(None, 90)))
    events = [
        StockOut("A", ORIGIN + timedelta(days=40)),
        StockOut("B", ORIGIN + timedelta(days=45)),
    ]
    scores = score(pairs, events)
    assert scores.stockouts == 2 and scores.warned == 1 and scores.recall == 0.5


def test_calibration_error_and_brier_of_perfectly_calibrated_probabilities() -> None:
    pairs = []
    # 10 offices at P30 = 0.2, of which 2 run out within 30 days; 10 at 0.8, 8 run out.
    for i in range(20):
        p = 0.2 if i < 10 else 0.8
        runs_out = (i < 2) or (10 <= i < 18)
        cf = ORIGIN + timedelta(days=20) if runs_out else None
        pairs.append((decision(f"O{i}", ORIGIN, warned=p > 0.5, p30=p), Truth(cf, 90)))
    scores = score(pairs, [])
    assert scores.calibration_error_30 == 0.0
    assert scores.brier["30"] == pytest.approx(0.16)
    bins = {(b.horizon, b.low): b for b in scores.reliability}
    assert bins[(30, 0.2)].count == 10 and bins[(30, 0.2)].observed == 0.2
    assert bins[(30, 0.8)].observed == 0.8


def test_outcomes_not_yet_observed_are_left_out() -> None:
    # The replay's last origin saw only 10 days: "no stock-out within 30 days" is unknown.
    late = decision("A", ORIGIN, warned=True, p30=0.7)
    scores = score([(late, Truth(None, 10))], [])
    assert scores.warnings == 0 and scores.precision is None and scores.brier["30"] is None
    assert scores.brier["14"] is None


def test_stockout_episodes_are_runs_of_empty_days() -> None:
    days = [(ORIGIN + timedelta(days=i), i in (3, 4, 5, 9)) for i in range(12)]
    assert [e.first_day for e in stockout_episodes("A", days)] == [
        ORIGIN + timedelta(days=3),
        ORIGIN + timedelta(days=9),
    ]
