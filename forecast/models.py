"""Demand models of one office: Prophet, the weekday-median fallback and the seven-day
seasonal naive benchmark, plus the choice between them by rolling-origin backtest.

Prophet is imported lazily (only in the processes that forecast). The fallback is the
median of each weekday over the last eight weeks, times the office's own ratio on
closure days and on working days of the Lebaran window (from the calendar); it is used
when the history is short, when Prophet fails or runs too long, and when its backtest
is at least as good as Prophet's."""

import json
import logging
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.backtest import Scores, mase_scale, origins
from forecast.calendar import CLOSURE, LEBARAN, LEBARAN_RETURN, NORMAL, WorkCalendar

log = logging.getLogger(__name__)

# Raised whenever a change to the model code changes forecasts: a stored forecast of an
# older revision is not reused for an unchanged series (forecast/reuse.py).
MODEL_REVISION = 3

PROPHET = "prophet"
WEEKDAY_MEDIAN = "weekday_median"
SEASONAL_NAIVE = "seasonal_naive"


@dataclass(frozen=True)
class ModelSettings:
    """What a run asks of the models; stored with the run."""

    horizon_days: int = 90
    backtest_origins: int = 2
    backtest_horizon_days: int = 28
    # Prophet sees at most this much history: two years and a month, enough for yearly
    # seasonality and two Lebarans, and it keeps each fit near 0.1 s.
    prophet_window_days: int = 760
    yearly_min_days: int = 730
    # Below this many observed days Prophet is not tried.
    prophet_min_days: int = 112
    race_margin: float = 0.05
    fit_timeout_seconds: float = 20.0
    # A run reuses the model chosen by an office's latest backtest until the choice is
    # this old (each office's own limit lies between half of it and all of it, so that
    # the offices' races spread over the days): see forecast/reuse.py. The backtest
    # scores the last 2 × 28 days, so a race sooner than 28 days after the one before
    # would judge the models mostly on days already judged.
    choice_max_age_days: int = 56


@dataclass
class OfficeForecast:
    """The chosen model's daily mean demand for the horizon and what the backtest says
    about its errors (used to sample demand paths for the stock projection)."""

    office_code: str
    model: str
    mean: np.ndarray
    backtest: dict[str, float | None]
    backtest_mase: float | None
    beats_naive: bool | None
    rel_errors: np.ndarray
    level_log_ratios: np.ndarray
    note: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    # The last Prophet fit's parameters (a warm start for the next fit), what this
    # forecast did (forecast.reuse: raced, refitted or reused), the origin of the
    # backtest behind the model choice and the fingerprint of the series.
    params: dict[str, Any] | None = None
    work: str = "raced"
    chosen_on: date | None = None
    fingerprint: str = ""


# --- simple models (plain numpy) -------------------------------------------------------


def seasonal_naive(values: np.ndarray, horizon: int) -> np.ndarray:
    """Repeats the last observed value of each weekday."""
    n = len(values)
    last = np.zeros(7)
    filled = np.zeros(7, dtype=bool)
    for t in range(n - 1, max(n - 7 * 8, 0) - 1, -1):
        slot = t % 7
        if not filled[slot] and not np.isnan(values[t]):
            last[slot], filled[slot] = values[t], True
    return np.array([last[(n + h) % 7] for h in range(horizon)])


def closed_weekdays(values: np.ndarray, start: date, weeks: int = 8) -> np.ndarray:
    """The weekdays (0 = Monday) the office did not report on in its last ``weeks``
    weeks of reports though it reported on other days: its closing days (Sunday at most
    Dinas, Saturday too at some). No model can learn their demand from missing days, and
    residents are not served on them."""
    reported = np.flatnonzero(~np.isnan(values))
    closed = np.zeros(7, dtype=bool)
    if reported.size == 0:
        return closed
    window = np.arange(max(0, reported[-1] + 1 - 7 * weeks), reported[-1] + 1)
    if window.size < 7 * weeks:
        return closed  # too little history to tell a closing day from a gap
    days = (start.weekday() + window) % 7
    seen = ~np.isnan(values[window])
    for w in range(7):
        closed[w] = not seen[days == w].any()
    return closed


def _closed_days_zero(mean: np.ndarray, values: np.ndarray, start: date) -> np.ndarray:
    """``mean`` (the days after ``values``) with the office's closing days at zero."""
    closed = closed_weekdays(values, start)
    if not closed.any():
        return mean
    future = (start.weekday() + len(values) + np.arange(len(mean))) % 7
    return np.where(closed[future], 0.0, mean)


def weekday_median(
    values: np.ndarray, start: date, horizon: int, calendar: WorkCalendar
) -> np.ndarray:
    """Median of each weekday over the last eight weeks of normal days, scaled on closure,
    Lebaran-window and return-flow days by the office's own historical ratio."""
    n = len(values)
    kinds = calendar.day_kinds(start, n + horizon)
    weekdays = (start.weekday() + np.arange(n + horizon)) % 7
    known = ~np.isnan(values)
    normal = known & (kinds[:n] == NORMAL)
    overall = float(np.median(values[normal][-56:])) if normal.any() else 0.0
    base = np.full(7, overall)
    for w in range(7):
        same = np.flatnonzero(normal & (weekdays[:n] == w))
        recent = same[same >= n - 56]
        pick = recent if recent.size >= 3 else same[-8:]
        if pick.size:
            base[w] = float(np.median(values[pick]))
    special = (CLOSURE, LEBARAN, LEBARAN_RETURN)
    factor = {NORMAL: 1.0, CLOSURE: 0.0, LEBARAN: 1.0, LEBARAN_RETURN: 1.0}
    for kind in special:
        mask = known & (kinds[:n] == kind)
        mask &= base[weekdays[:n]] > 0
        if np.count_nonzero(mask) >= 3:
            ratios = values[mask] / base[weekdays[:n][mask]]
            factor[kind] = float(np.clip(np.median(ratios), 0.0, 2.0))
    future_kinds = kinds[n:]
    scale = np.select([future_kinds == k for k in special], [factor[k] for k in special], 1.0)
    return _closed_days_zero(base[weekdays[n:]] * scale, values, start)


# --- Prophet ---------------------------------------------------------------------------

_backend: Any = None


def silence_cmdstanpy() -> None:
    """cmdstanpy resets its logger's level on first use unless the logger has its own
    handler; give it one, stop propagation, then set the level (cmdstanpy #594)."""
    for name in ("cmdstanpy", "prophet"):
        logger = logging.getLogger(name)
        logger.handlers = [logging.NullHandler()]
        logger.propagate = False
        logger.setLevel(logging.ERROR)


def _stan_backend(timeout: float) -> Any:
    """One Stan backend per process. It writes the data with the C JSON encoder (the
    default writer's pure-Python encoder was half of each fit), runs L-BFGS with a time
    limit and no slow Newton retry (Prophet #1854, #2524), and deletes its files after
    every fit (cmdstanpy otherwise keeps them until the process exits, #2253)."""
    global _backend
    if _backend is not None:
        _backend.timeout = timeout
        return _backend
    from prophet.models import CmdStanPyBackend

    class BoundedBackend(CmdStanPyBackend):
        timeout: float = 20.0

        def fit(self, stan_init: dict[str, Any], stan_data: dict[str, Any], **kwargs: Any) -> Any:
            if "init" in kwargs:
                stan_init = self.sanitize_custom_inits(stan_init, kwargs.pop("init"))
            init, data = self.prepare_data(stan_init, stan_data)
            workdir = Path(tempfile.mkdtemp(prefix="blangko-stan-"))
            try:
                (workdir / "data.json").write_text(json.dumps(data))
                (workdir / "init.json").write_text(json.dumps(init))
                self.stan_fit = self.model.optimize(
                    data=str(workdir / "data.json"),
                    inits=str(workdir / "init.json"),
                    algorithm="LBFGS",
                    iter=10_000,
                    # Ten times looser than CmdStan's default gradient tolerance: a
                    # quarter fewer iterations, forecasts equal to four digits.
                    tol_rel_grad=1e8,
                    output_dir=str(workdir),
                    timeout=self.timeout,
                )
                params = self.stan_to_dict_numpy(
                    self.stan_fit.column_names, self.stan_fit.optimized_params_np
                )
            finally:
                self.stan_fit = None
                shutil.rmtree(workdir, ignore_errors=True)
            return {name: value.reshape((1, -1)) for name, value in params.items()}

    silence_cmdstanpy()
    _backend = BoundedBackend()
    _backend.timeout = timeout
    return _backend


def prophet_forecast(
    values: np.ndarray,
    start: date,
    horizon: int,
    holidays: pd.DataFrame,
    settings: ModelSettings,
    init: dict[str, Any] | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Fits Prophet (linear trend; weekly seasonality, yearly with two years of data and
    the holiday indicators of ``holidays`` as regressors, all multiplicative: demand
    scales with the office's level) on the recent history and predicts the future days
    only. Missing days (NaN) are left out of the fit."""
    silence_cmdstanpy()  # before Prophet's first import, which logs that plotly is missing
    from prophet import Prophet

    window = min(len(values), settings.prophet_window_days)
    first = start + timedelta(days=len(values) - window)
    offset = (pd.Timestamp(first) - holidays.index[0]).days
    if offset < 0 or offset + window + horizon > len(holidays):
        raise ValueError("holiday calendar does not cover the forecast dates")
    rows = holidays.iloc[offset : offset + window + horizon].reset_index(names="ds")
    frame = rows.iloc[:window].assign(y=values[-window:])
    observed = frame[~np.isnan(values[-window:])]
    span = (observed["ds"].iloc[-1] - observed["ds"].iloc[0]).days if len(observed) else 0
    model = Prophet(
        growth="linear",
        weekly_seasonality=True,
        yearly_seasonality=span >= settings.yearly_min_days,
        daily_seasonality=False,
        seasonality_mode="multiplicative",
        uncertainty_samples=0,
    )
    for name in holidays.columns:
        if observed[name].any():
            model.add_regressor(name, prior_scale=10.0, standardize=False, mode="multiplicative")
    model.stan_backend = _stan_backend(settings.fit_timeout_seconds)
    with warnings.catch_warnings():
        # Prophet 1.5 still calls pandas APIs that pandas 3 deprecates; nothing to act on.
        warnings.simplefilter("ignore", DeprecationWarning)
        model.fit(observed, **({"init": init} if init else {}))
    mean = _closed_days_zero(
        np.clip(point_forecast(model, rows.iloc[window:]), 0.0, None), values, start
    )
    params = {
        "k": float(model.params["k"][0, 0]),
        "m": float(model.params["m"][0, 0]),
        "sigma_obs": float(model.params["sigma_obs"][0, 0]),
        "delta": model.params["delta"][0],
        "beta": model.params["beta"][0],
    }
    return mean, params


def point_forecast(model: Any, future: pd.DataFrame) -> np.ndarray:
    """Prophet's ``yhat`` for a linear-trend model whose components are all
    multiplicative, computed from the fitted parameters with numpy. Same numbers as
    ``model.predict`` (a test checks it) at a fraction of its cost, which is mostly
    pandas work for components and intervals this module does not use."""
    if model.growth != "linear" or model.scaling != "absmax":
        raise ValueError("point_forecast handles linear growth with absmax scaling only")
    ds = future["ds"]
    t = ((ds - model.start) / model.t_scale).to_numpy(dtype=float)
    params = model.params
    trend = (
        model.piecewise_linear(
            t, params["delta"][0], params["k"][0, 0], params["m"][0, 0], model.changepoints_t
        )
        * model.y_scale
    )
    days = (ds - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy() / 86_400.0
    columns: list[np.ndarray] = []
    for props in model.seasonalities.values():
        if props["mode"] != "multiplicative" or props["condition_name"] is not None:
            raise ValueError("point_forecast handles plain multiplicative seasonalities only")
        for i in range(props["fourier_order"]):
            angle = 2 * np.pi * (i + 1) / props["period"] * days
            columns += [np.sin(angle), np.cos(angle)]
    for name, props in model.extra_regressors.items():
        if props["mode"] != "multiplicative":
            raise ValueError("point_forecast handles multiplicative regressors only")
        columns.append((future[name].to_numpy(dtype=float) - props["mu"]) / props["std"])
    effects = np.column_stack(columns) @ params["beta"][0] if columns else 0.0
    return np.asarray(trend * (1.0 + effects))


# --- choice ----------------------------------------------------------------------------


def _clearly_worse(candidate: Scores, reference: Scores, margin: float) -> bool:
    a, b = candidate.mase, reference.mase
    return a is not None and b is not None and a > b * (1 + margin)


def forecast_office(
    office_code: str,
    start: date,
    values: np.ndarray,
    calendar: WorkCalendar,
    holidays: pd.DataFrame,
    settings: ModelSettings,
    init: dict[str, Any] | None = None,
) -> OfficeForecast:
    """Backtests the models at rolling origins (the last ``backtest_origins`` blocks of
    ``backtest_horizon_days``, each model refitted on the data before the origin), picks
    Prophet only where it scored at least as well as the fallback, and forecasts the
    horizon with the chosen model on the whole history. Prophet is dropped early when
    after an origin its error exceeds the fallback's by more than ``race_margin``.
    ``init``: Prophet parameters to start the first fit from (a previous fit's); each
    later fit starts from the one before."""
    began = time.perf_counter()
    horizon, step = settings.horizon_days, settings.backtest_horizon_days
    observed = int(np.count_nonzero(~np.isnan(values)))
    try_prophet = observed >= settings.prophet_min_days
    scores = {PROPHET: Scores(), WEEKDAY_MEDIAN: Scores(), SEASONAL_NAIVE: Scores()}
    note = "" if try_prophet else f"riwayat pendek ({observed} hari)"
    for origin in origins(len(values), settings.backtest_origins, step):
        train, test = values[:origin], values[origin : origin + step]
        if np.count_nonzero(~np.isnan(train)) < 14:
            continue
        scale = mase_scale(train)
        scores[SEASONAL_NAIVE].add(seasonal_naive(train, step), test, scale)
        scores[WEEKDAY_MEDIAN].add(weekday_median(train, start, step, calendar), test, scale)
        if try_prophet and np.count_nonzero(~np.isnan(train)) >= settings.prophet_min_days // 2:
            try:
                mean, init = prophet_forecast(train, start, step, holidays, settings, init)
            except Exception as error:
                log.warning("Prophet gagal untuk kantor %s: %s", office_code, error)
                try_prophet, note = False, f"Prophet gagal: {type(error).__name__}"
                continue
            scores[PROPHET].add(mean, test, scale)
            if _clearly_worse(scores[PROPHET], scores[WEEKDAY_MEDIAN], settings.race_margin):
                # Racing: a model far behind after an origin is not refitted at the next.
                try_prophet, note = False, "fallback lebih akurat pada backtest"

    backtest = {name: s.mase for name, s in scores.items()}
    prophet_mase, fallback_mase = backtest[PROPHET], backtest[WEEKDAY_MEDIAN]
    use_prophet = try_prophet and (
        prophet_mase is not None and (fallback_mase is None or prophet_mase <= fallback_mase)
    )
    if try_prophet and not use_prophet and prophet_mase is not None:
        note = "fallback lebih akurat pada backtest"
    mean = np.zeros(horizon)
    if use_prophet:
        try:
            mean, init = prophet_forecast(values, start, horizon, holidays, settings, init)
        except Exception as error:
            log.warning("Prophet gagal untuk kantor %s: %s", office_code, error)
            use_prophet, note = False, f"Prophet gagal: {type(error).__name__}"
    model = PROPHET if use_prophet else WEEKDAY_MEDIAN
    if not use_prophet:
        mean = weekday_median(values, start, horizon, calendar) if observed else mean
    chosen = scores[model]
    naive = backtest[SEASONAL_NAIVE]
    return OfficeForecast(
        office_code=office_code,
        model=model,
        mean=mean,
        backtest=backtest,
        backtest_mase=chosen.mase,
        beats_naive=None if chosen.mase is None or naive is None else chosen.mase < naive,
        rel_errors=np.concatenate(chosen.rel) if chosen.rel else np.zeros(0),
        level_log_ratios=np.array(chosen.level),
        note=note,
        seconds=time.perf_counter() - began,
        params=init,
    )
