"""The one stock-out risk rule (blangko.risk): at risk when running out within the
office's own horizon (p90 lead time + safety days) is at least as likely as not;
critical when the expected stock-out comes within the p90 lead time. The overview's
level is the same verdict; results of older runs fall back to the stock-out date."""

from datetime import date, timedelta

import pytest

from blangko.forecasts import ForecastSummary, risk_level, risk_of
from blangko.risk import HIGH, LOW, MEDIUM, RISK_THRESHOLD, assess

AS_OF = date(2026, 3, 1)


def summary(
    out_in_days: int | None,
    probability: float | None = None,
    *,
    p90: float | None = 10,
    p14: float = 0.0,
    p30: float = 0.0,
) -> ForecastSummary:
    return ForecastSummary(
        office_code="32.73",
        run_id=1,
        as_of=AS_OF,
        stockout_date=None if out_in_days is None else AS_OF + timedelta(days=out_in_days),
        stockout_probability={"14": p14, "30": p30, "60": max(p30, 0.5)},
        days_of_cover=10.0,
        mean_daily_demand=20.0,
        model="prophet",
        lead_time_p90=None if probability is None else p90,
        risk_horizon_days=None if probability is None or p90 is None else int(p90) + 14,
        risk_probability=probability,
    )


def test_the_threshold_is_more_likely_than_not() -> None:
    assert RISK_THRESHOLD == 0.5


@pytest.mark.parametrize(
    ("out_in_days", "probability", "expected"),
    [
        (8, 0.9, HIGH),  # out before a resupply requested today can arrive (p90 10 days)
        (10, 0.5, HIGH),  # at the threshold, at the lead time
        (11, 0.5, MEDIUM),  # one day more: still time to request
        (20, 0.51, MEDIUM),
        (20, 0.49, LOW),  # just below the threshold: no risk, whatever the date says
        (5, 0.3, LOW),
        (None, 0.6, MEDIUM),  # the mean path holds, the spread does not
        (None, 0.0, LOW),
    ],
)
def test_level_from_the_probability_at_the_office_horizon(
    out_in_days: int | None, probability: float, expected: str
) -> None:
    assert risk_level(summary(out_in_days, probability)) == expected
    assert summary(out_in_days, probability).risk == expected


def test_severity_follows_the_office_own_lead_time() -> None:
    # Twelve days left: an emergency where a resupply takes 15 days, not where it takes 3.
    assert risk_level(summary(12, 0.8, p90=15)) == HIGH
    assert risk_level(summary(12, 0.8, p90=3)) == MEDIUM


def test_days_left_count_from_the_office_today() -> None:
    # Out on day 12 of the forecast: on the day after, 11 days are left, within the 11-day
    # lead time.
    assert risk_level(summary(12, 0.8, p90=11)) == MEDIUM
    assert risk_level(summary(12, 0.8, p90=11), today=AS_OF + timedelta(days=1)) == HIGH
    already = risk_of(summary(-3, 1.0), today=AS_OF)
    assert already.days_left == 0 and already.critical


@pytest.mark.parametrize(
    ("out_in_days", "p14", "p30", "expected"),
    [
        (10, 0.0, 0.0, HIGH),  # older runs: the stock-out date against lead 21 + safety 14
        (21, 0.0, 0.0, HIGH),
        (22, 0.0, 0.0, MEDIUM),
        (35, 0.0, 0.0, MEDIUM),
        (36, 0.0, 0.0, LOW),
        (None, 0.0, 0.0, LOW),
        # The fixed-horizon probabilities no longer raise the level on their own: one
        # rule, the alert's (an office "Tinggi" without an alert was the bug).
        (None, 0.6, 0.9, LOW),
    ],
)
def test_older_results_fall_back_to_the_stockout_date(
    out_in_days: int | None, p14: float, p30: float, expected: str
) -> None:
    assert risk_level(summary(out_in_days, p14=p14, p30=p30)) == expected


def test_older_results_take_the_lead_time_they_are_given() -> None:
    old = summary(12)
    assert risk_of(old, lead_time_days=15).level == HIGH
    assert risk_of(old, lead_time_days=3).level == MEDIUM
    assert risk_of(old, lead_time_days=3).horizon_days == 17


def test_urgency_is_days_left_minus_lead_time() -> None:
    soon = assess(
        today=AS_OF,
        stockout_date=AS_OF + timedelta(days=4),
        probability=0.9,
        lead_time_days=10,
        horizon_days=24,
    )
    assert (soon.days_left, soon.urgency, soon.level) == (4, -6, HIGH)
    # At risk although the mean path holds beyond the horizon: the horizon is the time
    # left (more likely than not, it runs out by then).
    late = assess(
        today=AS_OF, stockout_date=None, probability=0.7, lead_time_days=10, horizon_days=24
    )
    assert (late.days_left, late.urgency) == (24, 14)
    calm = assess(
        today=AS_OF,
        stockout_date=AS_OF + timedelta(days=30),
        probability=0.1,
        lead_time_days=10,
        horizon_days=24,
    )
    assert calm.urgency is None and not calm.at_risk
