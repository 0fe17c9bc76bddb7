"""Reusing work across forecast runs (forecast/reuse.py): an office whose series did not
change keeps its forecast without a fit, the model choice of a backtest is kept until it
is old, and a warm-started Prophet fit gives the cold fit's forecast."""

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from forecast import reuse
from forecast.calendar import WorkCalendar, calendar_for
from forecast.models import PROPHET, WEEKDAY_MEDIAN, ModelSettings, prophet_forecast
from forecast.reuse import (
    RACE,
    REFIT,
    REUSE,
    ModelState,
    choice_max_age,
    fingerprint,
    forecast_with_state,
    from_json,
    plan,
    series_end,
    state_of,
    to_json,
)
from tests.unit.test_forecast_models import expected_demand

SETTINGS = ModelSettings()


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return calendar_for(date(2023, 1, 1), date(2026, 12, 31))


@pytest.fixture(scope="module")
def holidays(calendar: WorkCalendar) -> pd.DataFrame:
    return calendar.holiday_regressors()


def poisson_series(calendar: WorkCalendar, days: int, seed: int) -> tuple[date, np.ndarray]:
    start = date(2025, 1, 6)
    truth = expected_demand(start, days, calendar, level=40.0, trend=0.02)
    return start, np.random.default_rng(seed).poisson(truth).astype(float)


def state(
    office: str,
    start: date,
    values: np.ndarray,
    *,
    model: str = PROPHET,
    chosen_days_ago: int = 1,
    mean: float = 123.0,
) -> ModelState:
    """A state as the forecast at the series' last day would have left it."""
    as_of = series_end(start, values)
    return ModelState(
        office_code=office,
        model=model,
        chosen_on=as_of - timedelta(days=chosen_days_ago),
        fitted_on=as_of,
        fingerprint=fingerprint(start, values, SETTINGS),
        mean=np.full(SETTINGS.horizon_days, mean),
        backtest={PROPHET: 0.61, WEEKDAY_MEDIAN: 0.7, "seasonal_naive": 1.1},
        backtest_mase=0.61,
        beats_naive=True,
        rel_errors=np.array([0.1, -0.1]),
        level_log_ratios=np.array([0.02]),
    )


def test_the_fingerprint_changes_with_any_figure_day_or_setting() -> None:
    start, values = date(2026, 1, 1), np.array([5.0, np.nan, 7.0])
    digest = fingerprint(start, values, SETTINGS)
    assert fingerprint(start, values.copy(), SETTINGS) == digest
    assert fingerprint(start, np.array([5.0, np.nan, 8.0]), SETTINGS) != digest
    assert fingerprint(start, np.array([5.0, 0.0, 7.0]), SETTINGS) != digest  # a missing day
    assert fingerprint(start + timedelta(days=1), values, SETTINGS) != digest
    assert fingerprint(start, values, replace(SETTINGS, horizon_days=60)) != digest


def test_a_new_revision_of_the_model_code_is_not_served_an_old_forecast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start, values = date(2026, 1, 1), np.array([5.0, np.nan, 7.0])
    digest = fingerprint(start, values, SETTINGS)
    monkeypatch.setattr(reuse, "MODEL_REVISION", reuse.MODEL_REVISION + 1)
    assert fingerprint(start, values, SETTINGS) != digest


def test_an_office_whose_series_did_not_change_keeps_its_forecast_without_a_fit(
    calendar: WorkCalendar, holidays: pd.DataFrame
) -> None:
    start, values = poisson_series(calendar, 200, seed=1)
    # The stored forecast (123 a day) is no model's: getting it back means nothing ran.
    previous = state("32.01", start, values)

    again = forecast_with_state("32.01", start, values, calendar, holidays, SETTINGS, previous)

    assert again.work == REUSE
    assert again.model == PROPHET
    np.testing.assert_array_equal(again.mean, previous.mean)
    assert again.backtest_mase == 0.61 and again.chosen_on == previous.chosen_on

    corrected = values.copy()
    corrected[-3] += 5  # one day's figure corrected: the office is fitted again
    refit = forecast_with_state("32.01", start, corrected, calendar, holidays, SETTINGS, previous)
    assert refit.work == REFIT
    assert refit.model == PROPHET
    assert abs(refit.mean.mean() - 123.0) > 50  # a real fit of a series of about 40 a day
    assert refit.params is not None


def test_the_model_choice_is_kept_until_it_is_older_than_the_office_limit(
    calendar: WorkCalendar, holidays: pd.DataFrame
) -> None:
    start, values = poisson_series(calendar, 200, seed=2)
    as_of = series_end(start, values)
    limit = choice_max_age("32.01", SETTINGS)
    assert SETTINGS.choice_max_age_days // 2 <= limit <= SETTINGS.choice_max_age_days
    # A new day of data: the fallback chosen by a recent backtest is refitted as it is,
    # with that backtest's errors; no race.
    recent = state("32.01", start, values[:-1], model=WEEKDAY_MEDIAN, chosen_days_ago=limit - 2)
    assert (as_of - recent.chosen_on).days == limit - 1
    kept = forecast_with_state("32.01", start, values, calendar, holidays, SETTINGS, recent)
    assert kept.work == REFIT
    assert kept.model == WEEKDAY_MEDIAN
    assert kept.backtest == recent.backtest and kept.chosen_on == recent.chosen_on
    assert 20 < kept.mean.mean() < 60

    old = state("32.01", start, values[:-1], model=WEEKDAY_MEDIAN, chosen_days_ago=limit - 1)
    assert (as_of - old.chosen_on).days == limit
    raced = forecast_with_state("32.01", start, values, calendar, holidays, SETTINGS, old)
    assert raced.work == RACE
    assert raced.chosen_on == as_of
    assert raced.backtest != old.backtest and raced.backtest[PROPHET] is not None


def test_plan_races_without_a_state_or_with_one_from_a_later_origin() -> None:
    start, values = date(2026, 1, 1), np.arange(60, dtype=float)
    as_of = series_end(start, values)
    digest = fingerprint(start, values, SETTINGS)
    assert plan("32.01", as_of, digest, None, SETTINGS) == RACE
    later = replace(state("32.01", start, values), chosen_on=as_of + timedelta(days=14))
    assert plan("32.01", as_of, "other", later, SETTINGS) == RACE
    # The same series forecast again at a later origin is not a reuse.
    assert (
        plan("32.01", as_of + timedelta(days=1), digest, state("32.01", start, values), SETTINGS)
        == REFIT
    )


def test_offices_race_again_on_different_days() -> None:
    limits = {choice_max_age(f"{p}.{k:02d}", SETTINGS) for p in range(11, 20) for k in range(1, 30)}
    assert min(limits) >= SETTINGS.choice_max_age_days // 2
    assert max(limits) <= SETTINGS.choice_max_age_days
    assert len(limits) >= 10


def test_a_warm_start_gives_the_cold_fits_forecast(
    calendar: WorkCalendar, holidays: pd.DataFrame
) -> None:
    start, values = poisson_series(calendar, 300, seed=5)
    cold, _ = prophet_forecast(values, start, 90, holidays, SETTINGS)
    # Yesterday's fit (a week less of data), kept as JSON in the database.
    _, yesterday = prophet_forecast(values[:-7], start, 90, holidays, SETTINGS)
    kept = from_json(
        office_code="32.01",
        model=PROPHET,
        chosen_on=start,
        fitted_on=start,
        fingerprint="x",
        data=to_json(replace(state("32.01", start, values), params=yesterday)),
    )
    assert kept.params is not None and kept.params["delta"].shape == yesterday["delta"].shape

    warm, _ = prophet_forecast(values, start, 90, holidays, SETTINGS, kept.params)

    assert np.max(np.abs(warm - cold)) <= 0.02 * cold.mean()
    assert warm.sum() == pytest.approx(cold.sum(), rel=0.01)


def test_the_state_of_a_forecast_survives_its_json(
    calendar: WorkCalendar, holidays: pd.DataFrame
) -> None:
    start, values = poisson_series(calendar, 60, seed=6)  # short: the fallback, no Prophet
    forecast = forecast_with_state("32.01", start, values, calendar, holidays, SETTINGS, None)
    kept = state_of(forecast, series_end(start, values))
    assert kept is not None
    back = from_json(
        office_code=kept.office_code,
        model=kept.model,
        chosen_on=kept.chosen_on,
        fitted_on=kept.fitted_on,
        fingerprint=kept.fingerprint,
        data=to_json(kept),
    )
    np.testing.assert_allclose(back.mean, kept.mean, atol=1e-6)
    np.testing.assert_allclose(back.rel_errors, kept.rel_errors, atol=1e-6)
    assert back.backtest == kept.backtest and back.note == kept.note
    again = forecast_with_state("32.01", start, values, calendar, holidays, SETTINGS, back)
    assert again.work == REUSE


def test_the_dearest_forecasts_are_handed_out_first() -> None:
    start = date(2026, 1, 1)
    values = np.arange(1.0, 30.0)
    later = np.append(values, 31.0)  # one more day: the previous forecast is not reused

    def rank(previous: ModelState | None, series: np.ndarray = later) -> int:
        return reuse.cost_rank("32.01", start, series, previous, SETTINGS)

    assert rank(None) == 0  # no state: a race
    assert rank(state("32.01", start, values, chosen_days_ago=400)) == 0  # an old choice
    assert rank(state("32.01", start, values)) == 1  # a Prophet refit
    assert rank(state("32.01", start, values, model=WEEKDAY_MEDIAN)) == 2  # a fallback refit
    assert rank(state("32.01", start, values), values) == 2  # unchanged: reused, no fit
