"""The risk level the national overview shows, from a forecast's stock-out date and
probabilities (lead time 21 days and safety 14 days by default)."""

from datetime import date, timedelta

import pytest

from blangko.forecasts import HIGH, LOW, MEDIUM, ForecastSummary, risk_level

AS_OF = date(2026, 3, 1)


def summary(out_in_days: int | None, p14: float = 0.0, p30: float = 0.0) -> ForecastSummary:
    return ForecastSummary(
        office_code="32.73",
        run_id=1,
        as_of=AS_OF,
        stockout_date=None if out_in_days is None else AS_OF + timedelta(days=out_in_days),
        stockout_probability={"14": p14, "30": p30, "60": max(p30, 0.5)},
        days_of_cover=10.0,
        mean_daily_demand=20.0,
        model="prophet",
    )


@pytest.mark.parametrize(
    ("out_in_days", "p14", "p30", "expected"),
    [
        (10, 0.0, 0.0, HIGH),  # before an allocation could arrive
        (21, 0.0, 0.0, HIGH),
        (22, 0.0, 0.0, MEDIUM),  # within lead time + safety days
        (35, 0.0, 0.0, MEDIUM),
        (36, 0.0, 0.0, LOW),
        (None, 0.0, 0.0, LOW),
        (None, 0.6, 0.9, HIGH),  # the mean path holds, the spread does not
        (None, 0.1, 0.25, MEDIUM),
    ],
)
def test_risk_levels(out_in_days: int | None, p14: float, p30: float, expected: str) -> None:
    assert risk_level(summary(out_in_days, p14, p30)) == expected
    assert summary(out_in_days, p14, p30).risk == expected
