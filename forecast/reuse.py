"""What one forecast of an office leaves for the next, and what the next may skip.

A full forecast races the models in a rolling-origin backtest (two or three Prophet fits)
before the final fit. Most of that need not be done again the next night:

- the model choice of the latest backtest holds until it is older than
  ``choice_max_age_days`` (each office's own age between half that and that, so the
  offices' races spread over the days instead of falling on one night); until then only
  the chosen model is fitted again, and the backtest's errors (which shape the demand
  paths of the projection) are carried over;
- Prophet starts from the parameters of the previous fit (a warm start);
- an office whose series is unchanged since the last forecast at the same origin (same
  dates, same figures, same settings) keeps that forecast and is not fitted at all.

Plain data in, plain data out: the database side is in ``forecast.runs``."""

import hashlib
import logging
import time
import zlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from forecast.calendar import WorkCalendar
from forecast.models import (
    MODEL_REVISION,
    PROPHET,
    WEEKDAY_MEDIAN,
    ModelSettings,
    OfficeForecast,
    forecast_office,
    prophet_forecast,
    weekday_median,
)

log = logging.getLogger(__name__)

RACE = "raced"
REFIT = "refitted"
REUSE = "reused"


@dataclass(frozen=True)
class ModelState:
    """One office's last forecast as the next one can use it: the model chosen by the
    latest backtest and the origin of that backtest (``chosen_on``), the backtest's
    errors, the fitted Prophet parameters (None for the fallback) and the fingerprint of
    the series the forecast (``mean``, from the day after ``fitted_on``) was made from."""

    office_code: str
    model: str
    chosen_on: date
    fitted_on: date
    fingerprint: str
    mean: np.ndarray
    backtest: dict[str, float | None]
    backtest_mase: float | None
    beats_naive: bool | None
    rel_errors: np.ndarray
    level_log_ratios: np.ndarray
    note: str = ""
    params: dict[str, Any] | None = None


def series_end(start: date, values: np.ndarray) -> date:
    return start + timedelta(days=len(values) - 1)


def fingerprint(start: date, values: np.ndarray, settings: ModelSettings) -> str:
    """A digest of everything a forecast depends on: the dates, the figures (missing
    days included), the model settings and the revision of the model code."""
    digest = hashlib.sha256()
    digest.update(f"{start.isoformat()}|{len(values)}|{settings!r}|{MODEL_REVISION}|".encode())
    digest.update(np.where(np.isnan(values), -1.0, values).astype("<f8").tobytes())
    return digest.hexdigest()


def choice_max_age(office_code: str, settings: ModelSettings) -> int:
    """Days a model choice is kept for this office: between half of
    ``choice_max_age_days`` and all of it, fixed per office (a hash of its code)."""
    longest = settings.choice_max_age_days
    half = longest // 2
    return longest - zlib.crc32(office_code.encode()) % (longest - half + 1)


def plan(
    office_code: str,
    as_of: date,
    digest: str,
    previous: ModelState | None,
    settings: ModelSettings,
) -> str:
    """What a forecast of the office at ``as_of`` must do: ``REUSE`` the previous forecast
    (same series, same origin), ``REFIT`` the model chosen by a backtest that is still
    recent, or ``RACE`` the models again (no state, an old choice, or a state from a
    later origin than this one)."""
    if previous is None:
        return RACE
    if previous.fingerprint == digest and previous.fitted_on == as_of:
        return REUSE
    age = (as_of - previous.chosen_on).days
    if 0 <= age < choice_max_age(office_code, settings):
        return REFIT
    return RACE


def cost_rank(
    office_code: str,
    start: date,
    values: np.ndarray,
    previous: ModelState | None,
    settings: ModelSettings,
) -> int:
    """How much work the office's forecast will be, for handing out the dearest first (so
    that no worker is left alone with a race at the end of a run): 0 a race (two or three
    Prophet fits), 1 a Prophet refit, 2 a fallback refit or a reuse (no fit)."""
    work = plan(
        office_code,
        series_end(start, values),
        fingerprint(start, values, settings),
        previous,
        settings,
    )
    if work == RACE:
        return 0
    return 1 if work == REFIT and previous is not None and previous.model == PROPHET else 2


def forecast_with_state(
    office_code: str,
    start: date,
    values: np.ndarray,
    calendar: WorkCalendar,
    holidays: pd.DataFrame,
    settings: ModelSettings,
    previous: ModelState | None,
) -> OfficeForecast:
    """The office's forecast at the last day of ``values``, doing only what ``plan``
    says is needed given the ``previous`` state; the result tells what was done
    (``work``) and carries what ``state_of`` keeps for the next forecast."""
    as_of = series_end(start, values)
    digest = fingerprint(start, values, settings)
    work = plan(office_code, as_of, digest, previous, settings)
    if previous is None or work == RACE:
        init = previous.params if previous is not None else None
        raced = forecast_office(office_code, start, values, calendar, holidays, settings, init)
        return replace(raced, work=RACE, chosen_on=as_of, fingerprint=digest)
    began = time.perf_counter()
    model, params, note = previous.model, previous.params, previous.note
    if work == REUSE:
        mean = previous.mean
    elif model == PROPHET:
        try:
            mean, params = prophet_forecast(
                values, start, settings.horizon_days, holidays, settings, previous.params
            )
        except Exception as error:
            log.warning("Prophet gagal untuk kantor %s: %s", office_code, error)
            model, note = WEEKDAY_MEDIAN, f"Prophet gagal: {type(error).__name__}"
            mean = weekday_median(values, start, settings.horizon_days, calendar)
    else:
        mean = weekday_median(values, start, settings.horizon_days, calendar)
    return OfficeForecast(
        office_code=office_code,
        model=model,
        mean=mean,
        backtest=previous.backtest,
        backtest_mase=previous.backtest_mase,
        beats_naive=previous.beats_naive,
        rel_errors=previous.rel_errors,
        level_log_ratios=previous.level_log_ratios,
        note=note,
        seconds=time.perf_counter() - began,
        params=params,
        work=work,
        chosen_on=previous.chosen_on,
        fingerprint=digest,
    )


def state_of(forecast: OfficeForecast, as_of: date) -> ModelState | None:
    """What ``forecast`` (made at ``as_of``) leaves for the next one; None for a
    forecast that did not go through ``forecast_with_state``."""
    if forecast.chosen_on is None or not forecast.fingerprint:
        return None
    return ModelState(
        office_code=forecast.office_code,
        model=forecast.model,
        chosen_on=forecast.chosen_on,
        fitted_on=as_of,
        fingerprint=forecast.fingerprint,
        mean=forecast.mean,
        backtest=forecast.backtest,
        backtest_mase=forecast.backtest_mase,
        beats_naive=forecast.beats_naive,
        rel_errors=forecast.rel_errors,
        level_log_ratios=forecast.level_log_ratios,
        note=forecast.note,
        params=forecast.params,
    )


# --- JSON, for the table that keeps the states between runs -------------------------------


def to_json(state: ModelState) -> dict[str, Any]:
    params = None
    if state.params is not None:
        params = {
            k: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else v)
            for k, v in state.params.items()
        }
    return {
        "mean": np.round(state.mean, 6).tolist(),
        "backtest": state.backtest,
        "backtest_mase": state.backtest_mase,
        "beats_naive": state.beats_naive,
        "rel_errors": np.round(state.rel_errors, 6).tolist(),
        "level_log_ratios": np.round(state.level_log_ratios, 6).tolist(),
        "note": state.note,
        "params": params,
    }


def from_json(
    *,
    office_code: str,
    model: str,
    chosen_on: date,
    fitted_on: date,
    fingerprint: str,
    data: dict[str, Any],
) -> ModelState:
    params = data.get("params")
    if params is not None:
        params = {
            k: (np.asarray(v, dtype=float) if isinstance(v, list) else v) for k, v in params.items()
        }
    return ModelState(
        office_code=office_code,
        model=model,
        chosen_on=chosen_on,
        fitted_on=fitted_on,
        fingerprint=fingerprint,
        mean=np.asarray(data.get("mean", []), dtype=float),
        backtest=dict(data.get("backtest") or {}),
        backtest_mase=data.get("backtest_mase"),
        beats_naive=data.get("beats_naive"),
        rel_errors=np.asarray(data.get("rel_errors", []), dtype=float),
        level_log_ratios=np.asarray(data.get("level_log_ratios", []), dtype=float),
        note=data.get("note", ""),
        params=params,
    )
