"""Demand models on synthetic series with a known pattern: weekday shape, closures and
the Lebaran dip. Prophet is fitted only a few times here (about 0.1-0.2 s a fit)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast.backtest import mase_scale, origins
from forecast.calendar import (
    CLOSURE,
    LEBARAN,
    LEBARAN_RETURN,
    NORMAL,
    WorkCalendar,
    calendar_for,
)
from forecast.models import (
    PROPHET,
    SEASONAL_NAIVE,
    WEEKDAY_MEDIAN,
    ModelSettings,
    closed_weekdays,
    forecast_office,
    point_forecast,
    prophet_forecast,
    seasonal_naive,
    weekday_median,
)

WEEK = np.array([1.1, 1.0, 1.0, 1.0, 0.9, 0.5, 0.0])  # Monday … Sunday
LEBARAN_FACTOR = 0.4
RETURN_FACTOR = 1.5  # the weeks of the return flow (arus balik): newcomers register


def expected_demand(
    start: date, days: int, calendar: WorkCalendar, level: float = 50.0, trend: float = 0.0
) -> np.ndarray:
    """The true mean: level (+ trend a day) × weekday shape, zero on closures, reduced
    in the Lebaran window, raised in the weeks of the return flow after it."""
    weekdays = (start.weekday() + np.arange(days)) % 7
    kinds = calendar.day_kinds(start, days)
    mean = (level + trend * np.arange(days)) * WEEK[weekdays]
    mean[kinds == CLOSURE] = 0.0
    mean[kinds == LEBARAN] *= LEBARAN_FACTOR
    mean[kinds == LEBARAN_RETURN] *= RETURN_FACTOR
    return mean


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return calendar_for(date(2023, 1, 1), date(2026, 12, 31))


@pytest.fixture(scope="module")
def holidays(calendar: WorkCalendar) -> pd.DataFrame:
    return calendar.holiday_regressors()


def test_seasonal_naive_repeats_the_last_known_week() -> None:
    values = np.arange(21, dtype=float)
    values[-3] = np.nan  # the latest value of that weekday is missing: take the one before
    forecast = seasonal_naive(values, 8)
    np.testing.assert_array_equal(forecast, [14, 15, 16, 17, 11, 19, 20, 14])


def test_weekday_median_follows_weekdays_and_closures(calendar: WorkCalendar) -> None:
    start = date(2025, 1, 6)  # a Monday
    values = expected_demand(start, 120, calendar)
    forecast = weekday_median(values, start, 28, calendar)
    future = expected_demand(start, 148, calendar)[120:]
    kinds = calendar.day_kinds(start, 148)[120:]
    np.testing.assert_allclose(forecast[kinds == NORMAL], future[kinds == NORMAL], rtol=1e-9)
    assert (forecast[kinds == CLOSURE] == 0).all()


def test_weekday_median_learns_the_lebaran_ratio(calendar: WorkCalendar) -> None:
    start = date(2024, 1, 1)
    days = (date(2025, 3, 1) - start).days
    values = expected_demand(start, days, calendar)
    forecast = weekday_median(values, start, 60, calendar)
    future = expected_demand(start, days + 60, calendar)[days:]
    kinds = calendar.day_kinds(start, days + 60)[days:]
    assert (kinds == LEBARAN).any() and (kinds == LEBARAN_RETURN).any()
    np.testing.assert_allclose(forecast[kinds == LEBARAN], future[kinds == LEBARAN], rtol=0.02)
    # The return flow of the Lebaran before is learned too: 1.5 times a normal day.
    np.testing.assert_allclose(
        forecast[kinds == LEBARAN_RETURN], future[kinds == LEBARAN_RETURN], rtol=0.02
    )


def test_mase_scale_is_the_mean_seven_day_difference() -> None:
    values = np.tile([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0], 4)
    values[7:] += 7.0
    values[14:] += 7.0
    # Differences: 7 for 14 days, 0 for 7 days.
    assert mase_scale(values) == pytest.approx(14 * 7 / 21)
    assert mase_scale(np.full(30, 5.0)) == 5.0  # flat series: scale falls back to the level


def test_rolling_origins_end_at_the_last_day() -> None:
    assert origins(200, 2, 28) == [144, 172]
    assert origins(40, 2, 28) == [12]


def test_short_history_takes_the_fallback(calendar: WorkCalendar, holidays: pd.DataFrame) -> None:
    start = date(2026, 1, 5)
    values = np.random.default_rng(1).poisson(expected_demand(start, 60, calendar)).astype(float)
    result = forecast_office("32.73", start, values, calendar, holidays, ModelSettings())
    assert result.model == WEEKDAY_MEDIAN
    assert "riwayat pendek" in result.note
    assert result.backtest[PROPHET] is None
    assert result.backtest[WEEKDAY_MEDIAN] is not None
    assert len(result.mean) == 90
    assert result.mean.sum() > 0


def test_prophet_failure_falls_back(calendar: WorkCalendar, holidays: pd.DataFrame) -> None:
    start = date(2025, 6, 2)
    values = np.random.default_rng(2).poisson(expected_demand(start, 200, calendar)).astype(float)
    settings = ModelSettings(fit_timeout_seconds=0.0001, backtest_origins=1)
    result = forecast_office("32.73", start, values, calendar, holidays, settings)
    assert result.model == WEEKDAY_MEDIAN
    assert result.note.startswith("Prophet gagal")
    assert result.mean.sum() > 0


@pytest.fixture(scope="module")
def lebaran_case(calendar: WorkCalendar) -> tuple[date, np.ndarray, np.ndarray]:
    """26 months of Poisson demand with a slight trend, ending 11 days before Idul Fitri
    2026 (21 March), and the true mean of the 90 days that follow."""
    start = date(2024, 1, 8)
    days = (date(2026, 3, 10) - start).days + 1
    truth = expected_demand(start, days + 90, calendar, level=60.0, trend=0.01)
    values = np.random.default_rng(3).poisson(truth[:days]).astype(float)
    return start, values, truth[days:]


def test_prophet_recovers_the_weekly_pattern_closures_and_lebaran(
    calendar: WorkCalendar,
    holidays: pd.DataFrame,
    lebaran_case: tuple[date, np.ndarray, np.ndarray],
) -> None:
    start, values, truth = lebaran_case
    mean, _ = prophet_forecast(values, start, 90, holidays, ModelSettings())
    kinds = calendar.day_kinds(start, len(values) + 90)[len(values) :]
    weekdays = (start.weekday() + len(values) + np.arange(90)) % 7
    normal = (kinds == NORMAL) & (weekdays < 5)
    # Tolerances: normal weekdays within 10 % on average and the 90-day total within 10 %;
    # closures (Idul Fitri and cuti bersama) and Sundays below 15 % of a normal day.
    assert np.mean(np.abs(mean[normal] - truth[normal]) / truth[normal]) < 0.10
    assert abs(mean.sum() - truth.sum()) / truth.sum() < 0.10
    level = truth[normal].mean()
    assert mean[kinds == CLOSURE].mean() < 0.15 * level
    assert mean[weekdays == 6].mean() < 0.15 * level
    # The Lebaran working days (truth: 40 % of normal) come out clearly lower, though
    # not fully: Prophet adds effects (1 + weekly + Lebaran) where the truth multiplies.
    dip = (kinds == LEBARAN) & (weekdays < 5)
    assert mean[dip].mean() < 0.65 * level
    # The weeks of the return flow (truth: 150 % of normal) come out clearly higher.
    rush = (kinds == LEBARAN_RETURN) & (weekdays < 5)
    assert mean[rush].mean() > 1.3 * level


def test_chosen_model_beats_seasonal_naive_on_a_lebaran_horizon(
    calendar: WorkCalendar,
    holidays: pd.DataFrame,
    lebaran_case: tuple[date, np.ndarray, np.ndarray],
) -> None:
    start, values, truth = lebaran_case
    result = forecast_office("32.73", start, values, calendar, holidays, ModelSettings())
    assert result.model in (PROPHET, WEEKDAY_MEDIAN)
    assert result.backtest_mase is not None and result.backtest[SEASONAL_NAIVE] is not None
    scale = mase_scale(values)
    chosen = np.mean(np.abs(result.mean - truth)) / scale
    naive = np.mean(np.abs(seasonal_naive(values, 90) - truth)) / scale
    assert chosen < 1.0
    assert chosen < naive
    assert result.rel_errors.size > 20
    assert result.level_log_ratios.size == 2


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_point_forecast_equals_prophet_predict(
    holidays: pd.DataFrame, lebaran_case: tuple[date, np.ndarray, np.ndarray]
) -> None:
    from prophet import Prophet

    start, values, _ = lebaran_case
    rows = holidays.loc[pd.Timestamp(start) :].iloc[: len(values) + 90].reset_index(names="ds")
    history = rows.iloc[: len(values)].assign(y=values)
    model = Prophet(seasonality_mode="multiplicative", uncertainty_samples=0)
    for name in holidays.columns:
        model.add_regressor(name, standardize=False)
    model.add_regressor("libur_nasional_scaled", standardize=True)  # exercises mu and std
    history["libur_nasional_scaled"] = history["libur_nasional"] * 3.0
    model.fit(history)
    future = rows.iloc[len(values) :].assign(
        libur_nasional_scaled=lambda f: f["libur_nasional"] * 3.0
    )
    expected = model.predict(future)["yhat"].to_numpy()
    np.testing.assert_allclose(point_forecast(model, future), expected, rtol=1e-9, atol=1e-9)


def test_missing_days_do_not_pull_the_forecast_down(
    holidays: pd.DataFrame, lebaran_case: tuple[date, np.ndarray, np.ndarray]
) -> None:
    """Out-of-stock days are NaN: Prophet skips them instead of learning a fall (as it
    would from the zero prints of those days)."""
    start, values, _ = lebaran_case
    full, _ = prophet_forecast(values, start, 90, holidays, ModelSettings())
    censored = values.copy()
    censored[-45:-15] = np.nan
    skipped, _ = prophet_forecast(censored, start, 90, holidays, ModelSettings())
    zeros = np.nan_to_num(censored)
    fell, _ = prophet_forecast(zeros, start, 90, holidays, ModelSettings())
    assert abs(skipped.sum() - full.sum()) / full.sum() < 0.03
    assert fell.sum() < 0.9 * full.sum()


def test_calendar_span_is_checked(holidays: pd.DataFrame) -> None:
    # The calendar runs to the end of 2028; this forecast would end in 2029.
    start = date(2028, 6, 1)
    with pytest.raises(ValueError, match="calendar"):
        prophet_forecast(np.ones(200), start, 90, holidays, ModelSettings())


def test_a_model_far_behind_is_not_refitted_at_the_next_origin(
    calendar: WorkCalendar, holidays: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import forecast.models as models

    calls: list[int] = []

    def wrong(values: np.ndarray, start: date, horizon: int, *_: object) -> tuple:
        calls.append(len(values))
        return np.full(horizon, 500.0), {}

    monkeypatch.setattr(models, "prophet_forecast", wrong)
    start = date(2025, 1, 6)
    values = np.random.default_rng(5).poisson(expected_demand(start, 300, calendar)).astype(float)
    settings = ModelSettings(backtest_origins=3)
    result = forecast_office("32.73", start, values, calendar, holidays, settings)
    assert calls == [300 - 3 * 28]  # dropped after the first origin, never refitted
    assert result.model == WEEKDAY_MEDIAN
    assert result.note == "fallback lebih akurat pada backtest"
    prophet, fallback = result.backtest[PROPHET], result.backtest[WEEKDAY_MEDIAN]
    assert prophet is not None and fallback is not None
    assert prophet > fallback


def test_days_an_office_never_reports_on_are_forecast_closed(
    calendar: WorkCalendar, holidays: pd.DataFrame
) -> None:
    """Most Dinas send no report on Sunday: the day is missing, not zero. A model cannot
    learn a missing day, so the office's closing days come from its reports; before this
    both models forecast a Sunday like a weekday and every 90-day total came out a sixth
    too high (the stock-out dates too early)."""
    start = date(2025, 1, 6)
    truth = expected_demand(start, 400, calendar)
    values = truth.copy()
    weekdays = (start.weekday() + np.arange(400)) % 7
    values[weekdays == 6] = np.nan  # no report on Sundays
    future = (start.weekday() + 400 + np.arange(60)) % 7
    for mean in (
        weekday_median(values, start, 60, calendar),
        prophet_forecast(values, start, 60, holidays, ModelSettings())[0],
    ):
        assert np.all(mean[future == 6] == 0.0)
        assert mean[future == 0].mean() > 30  # Mondays still forecast
    # An office open every day keeps its Sundays; too short a history decides nothing.
    assert not closed_weekdays(truth + 1.0, start).any()
    assert not closed_weekdays(values[:30], start).any()
    assert closed_weekdays(values, start).tolist() == [False] * 6 + [True]
