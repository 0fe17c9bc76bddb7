"""Times a forecast run of every office and measures accuracy (SPEC §7 bars: all 514
kab/kota in ≤ 60 s on 2 cores, peak memory ≤ 2 GB, median MASE < 1 on a 90-day holdout).

    .venv/bin/python bench/forecast_all.py [--db PATH] [--years 3] [--workers 2]
    .venv/bin/python bench/forecast_all.py --synthetic 514    # no database: model stage only

With a database (built with ``blangko demo --years N`` when ``--db`` does not exist yet):

1. the yardstick (issue 12 item 7): a plain two-process Prophet loop over the same kab/kota
   series (Prophet's defaults, no uncertainty samples, no backtest, no database);
2. the night before: ``run_forecast()`` one day earlier with every office's models raced
   afresh (``reuse=False``), which leaves the states a nightly run starts from;
3. the timed run: ``run_forecast()`` exactly as ``blangko forecast run`` does it the next
   night (every office plus the national projection, results stored, the previous run's
   model choices and fits reused: forecast/reuse.py), with the peak memory of the whole
   process tree (this process and its workers, sampled from /proc), and its ratio to the
   plain loop (wall and CPU; bar ≤ 0.5), also for an average night where the offices whose
   choice has grown old race again;
4. accuracy: every kab/kota's series is cut 90 days before its end, the same model code
   (backtest, choice, forecast) runs on the rest, and the forecast is scored against the
   90 held-out days: MASE (scaled by the in-sample seven-day naive error) of the chosen
   model, and the share of offices where it beats the seven-day seasonal naive forecast;
   then again with the models raced ``--stale-days`` before the cut and the kept choice
   refitted at the cut, as a nightly run late in a choice's life does.

Prints the load average too: the machine may be shared."""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlmodel import col, select

from blangko.db import make_engine, session_scope
from blangko.models import DailyReport, Office, OfficeKind
from forecast.backtest import mase_scale
from forecast.calendar import CLOSURE, LEBARAN, calendar_for
from forecast.models import seasonal_naive
from forecast.reuse import choice_max_age, series_end, state_of
from forecast.runner import RunSettings, Task, forecast_as_of, run_forecast, run_models
from forecast.series import load_series


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled."""

    def __init__(self, every: float = 0.1) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            time.sleep(self.every)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers, Stan)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip())
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def holdout_scores(
    tasks: list[Task],
    actual: dict[str, np.ndarray],
    settings: RunSettings,
    calendar: object,
    stale_days: int = 0,
) -> None:
    """Runs the model code on the cut series and prints the holdout figures. With
    ``stale_days``, the models are raced that many days before the cut and the forecast
    at the cut reuses that state (forecast/reuse.py: the choice kept, Prophet refitted
    from the earlier fit's parameters), as a nightly run does."""
    label = "races at the cut"
    if stale_days:
        earlier = [Task(t.office_code, t.start, t.values[:-stale_days]) for t in tasks]
        ends = {t.office_code: series_end(t.start, t.values) for t in earlier}
        kept = {}
        for chunk in run_models(earlier, calendar, settings):  # type: ignore[arg-type]
            for f in chunk:
                if (state := state_of(f, ends[f.office_code])) is not None:
                    kept[f.office_code] = state
        tasks = [replace(t, previous=kept.get(t.office_code)) for t in tasks]
        label = f"choice and fit from {stale_days} days before the cut, refitted at the cut"
    began = time.perf_counter()
    forecasts = [f for chunk in run_models(tasks, calendar, settings) for f in chunk]  # type: ignore[arg-type]
    seconds = time.perf_counter() - began
    work = {w: sum(f.work == w for f in forecasts) for w in {f.work for f in forecasts}}
    by_code = {t.office_code: t for t in tasks}
    mase, beats, models = [], [], {}
    for f in forecasts:
        train, truth = by_code[f.office_code].values, actual[f.office_code]
        known = ~np.isnan(truth)
        if known.sum() < 30 or np.isnan(train).all():
            continue
        scale = mase_scale(train)
        chosen = np.mean(np.abs(f.mean[known] - truth[known])) / scale
        naive = np.mean(np.abs(seasonal_naive(train, len(truth))[known] - truth[known])) / scale
        mase.append(chosen)
        beats.append(chosen < naive)
        models[f.model] = models.get(f.model, 0) + 1
    print(
        f"holdout ({label}; {work}) {len(truth)} days, {len(mase)} offices ({seconds:.1f} s): "
        f"median MASE {np.median(mase):.3f} (p90 {np.percentile(mase, 90):.3f}); "
        f"chosen model beats seasonal naive in {100 * np.mean(beats):.0f} % of offices; "
        f"models {models}"
    )


def _plain_init() -> None:
    from forecast.models import silence_cmdstanpy

    silence_cmdstanpy()
    import prophet  # noqa: F401


def _plain_fit(task: tuple[date, np.ndarray, int]) -> np.ndarray:
    """One series the plain way: Prophet with its defaults, no uncertainty samples, fitted
    on the observed days, predicting the future days only."""
    import pandas as pd
    from prophet import Prophet

    start, values, horizon = task
    ds = pd.date_range(start, periods=len(values), freq="D")
    frame = pd.DataFrame({"ds": ds, "y": values}).dropna()
    model = Prophet(uncertainty_samples=0)
    model.fit(frame)
    future = model.make_future_dataframe(periods=horizon, include_history=False)
    return np.asarray(model.predict(future)["yhat"].to_numpy())


def plain_loop(
    series: list[tuple[date, np.ndarray]], workers: int, horizon: int
) -> tuple[float, float]:
    """Wall and CPU seconds of a plain two-process Prophet loop over ``series`` (the
    yardstick of issue 12 item 7): spawned workers that import Prophet, one fit and one
    prediction per series, no backtest, no database."""
    import multiprocessing

    began, cpu = time.perf_counter(), cpu_seconds()
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_plain_init) as pool:
        done = len(pool.map(_plain_fit, [(s, v, horizon) for s, v in series], chunksize=8))
        pool.close()
        pool.join()
    seconds, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    print(
        f"plain loop: {done} series, Prophet defaults on {workers} workers: wall {seconds:.1f} s, "
        f"CPU {cpu:.1f} s"
    )
    return seconds, cpu


def synthetic(count: int, days: int, seed: int = 11) -> tuple[date, list[np.ndarray]]:
    """Office-like daily demand: level by population, weekday shape, trend, a yearly
    school-outreach wave, closures, the Lebaran dip, Poisson noise and, for a fifth of
    the offices, a month out of stock (missing)."""
    rng = np.random.default_rng(seed)
    start = date.today() - timedelta(days=days)
    calendar = calendar_for(start, start + timedelta(days=days))
    kinds = calendar.day_kinds(start, days)
    t = np.arange(days)
    weekday = (start.weekday() + t) % 7
    series = []
    for _ in range(count):
        level = rng.lognormal(np.log(60), 0.8)
        shape = np.array([1.1, 1.0, 1.0, 1.0, 0.85, rng.uniform(0.2, 0.6), 0.0])
        trend = 1 + rng.normal(0.1, 0.1) * t / 365
        wave = 1 + 0.15 * np.sin(2 * np.pi * (t / 365.25 - rng.uniform(0, 1)))
        mean = level * shape[weekday] * trend * wave
        mean[kinds == CLOSURE] = 0
        mean[kinds == LEBARAN] *= 0.4
        values = rng.poisson(np.maximum(mean, 0)).astype(float)
        if rng.random() < 0.2:
            gap = int(rng.integers(100, days - 200))
            values[gap : gap + 30] = np.nan
        series.append(values)
    return start, series


def bench_synthetic(count: int, settings: RunSettings, holdout: int, score: bool) -> None:
    start, series = synthetic(count, 3 * 365 + holdout)
    calendar = calendar_for(start, start + timedelta(days=len(series[0]) + 120))
    tasks = [Task(f"s{i}", start, s[:-holdout]) for i, s in enumerate(series)]
    actual = {f"s{i}": s[-holdout:] for i, s in enumerate(series)}
    began, cpu = time.perf_counter(), cpu_seconds()
    with PeakMemory() as memory:
        count_done = sum(len(c) for c in run_models(tasks, calendar, settings))
    wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    print(
        f"synthetic: {count_done} series of 3 years on {settings.workers} workers: wall "
        f"{wall:.1f} s, {wall / count_done:.3f} s per office, CPU {cpu:.1f} s, peak memory "
        f"{memory.peak / 2**30:.2f} GB (model stage only, no database)"
    )
    if score:
        holdout_scores(tasks, actual, settings, calendar)


def build_database(path: Path, years: int) -> str:
    url = f"sqlite:///{path}"
    env = {**os.environ, "BLANGKO_DATABASE_URL": url}
    blangko = str(Path(sys.executable).with_name("blangko"))
    subprocess.run([blangko, "db", "upgrade"], env=env, check=True)
    subprocess.run([blangko, "seed"], env=env, check=True)
    began = time.perf_counter()
    subprocess.run([blangko, "demo", "--years", str(years)], env=env, check=True)
    print(f"blangko demo --years {years}: {time.perf_counter() - began:.1f} s")
    return url


def bench_database(
    url: str, settings: RunSettings, holdout: int, score: bool, stale_days: int
) -> None:
    engine = make_engine(url)
    os.environ["BLANGKO_DATABASE_URL"] = url
    with session_scope(engine, write=False) as session:
        as_of = forecast_as_of(session)
        kabkota = session.exec(
            select(Office.code).where(col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota]))
        ).all()
        recent = load_series(
            session=session,
            office_codes=list(kabkota),
            start=as_of - timedelta(days=settings.history_days - 1),
            end=as_of,
        )
    plain, plain_cpu = plain_loop(
        [(s.start, s.values) for s in recent.values() if s.observed_days >= 2],
        settings.workers,
        settings.models.horizon_days,
    )
    # The night before: every office raced afresh (no state used), which leaves the
    # states the nightly run starts from, one day of data older.
    began = time.perf_counter()
    before = run_forecast(
        engine=engine, settings=replace(settings, reuse=False), as_of=as_of - timedelta(days=1)
    )
    raced = time.perf_counter() - began
    print(
        f"the night before (as of {as_of - timedelta(days=1)}, every office raced): "
        f"{raced:.1f} s {before.stats}"
    )
    began, cpu = time.perf_counter(), cpu_seconds()
    with PeakMemory() as memory:
        run = run_forecast(engine=engine, settings=settings, as_of=as_of)
    wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    with session_scope(engine, write=False) as session:
        kabkota = session.exec(
            select(Office.code).where(col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota]))
        ).all()
        reported = session.exec(select(DailyReport.office_code).distinct()).all()
        from blangko.forecasts import latest_results

        results = latest_results(session=session)
        as_of = forecast_as_of(session)
        series = load_series(
            session=session,
            office_codes=list(kabkota),
            start=as_of - timedelta(days=settings.history_days + holdout - 1),
            end=as_of,
        )
    stored = [results[c] for c in kabkota if c in results and results[c].backtest_mase is not None]
    print(
        f"run {run.id}: {run.offices_done} offices ({len(kabkota)} kab/kota, "
        f"{len(reported)} with reports) on {settings.workers} workers: wall {wall:.1f} s, "
        f"{wall / max(run.offices_done, 1):.3f} s per office, CPU {cpu:.1f} s, peak memory "
        f"{memory.peak / 2**30:.2f} GB"
    )
    # Each office races again once its choice is older than its own limit: on an average
    # night that share of the offices, at the extra cost of a race.
    share = float(np.mean([1 / choice_max_age(c, settings.models) for c in kabkota]))
    average = wall + share * max(raced - wall, 0.0)
    print(
        f"nightly run (as of {as_of}; {run.stats}) / plain loop: {wall:.1f} s / {plain:.1f} s "
        f"= {wall / plain:.2f}; a night that races every office: {raced / plain:.2f}; an "
        f"average night ({100 * share:.1f} % of the offices race): {average / plain:.2f}; "
        f"CPU {cpu:.1f} s / {plain_cpu:.1f} s = {cpu / plain_cpu:.2f}"
    )
    if stored:
        mase = [r.backtest_mase for r in stored]
        beats = [r.backtest.get("beats_seasonal_naive") for r in stored]
        models = {m: sum(r.model == m for r in stored) for m in {r.model for r in stored}}
        print(
            f"rolling-origin backtest (stored, kab/kota): median MASE {np.median(mase):.3f}; "
            f"chosen model beats seasonal naive in {100 * np.mean([bool(b) for b in beats]):.0f} "
            f"% of offices; models {models}"
        )
    tasks, actual = [], {}
    for code, s in series.items():
        if np.isnan(s.values[:-holdout]).all():
            continue
        tasks.append(Task(code, s.start, s.values[:-holdout]))
        actual[code] = s.values[-holdout:]
    calendar = calendar_for(as_of - timedelta(days=settings.history_days + holdout), as_of)
    if score:
        holdout_scores(tasks, actual, settings, calendar)
        if stale_days:
            holdout_scores(tasks, actual, settings, calendar, stale_days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="SQLite file (built with blangko demo if new)")
    parser.add_argument("--url", help="database URL to use as it is (e.g. PostgreSQL)")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--holdout", type=int, default=90)
    parser.add_argument("--synthetic", type=int, help="this many synthetic series, no database")
    parser.add_argument("--no-holdout", action="store_true", help="time the run only")
    parser.add_argument(
        "--stale-days",
        type=int,
        default=21,
        help="also score forecasts that reuse a model choice made this many days before "
        "the cut (0: only the race at the cut)",
    )
    args = parser.parse_args()
    settings = RunSettings(workers=args.workers)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.synthetic:
        bench_synthetic(args.synthetic, settings, args.holdout, not args.no_holdout)
    else:
        if args.url:
            url = args.url
        else:
            path = args.db or Path(tempfile.gettempdir()) / f"blangko-demo-{args.years}y.db"
            url = f"sqlite:///{path}" if path.exists() else build_database(path, args.years)
        bench_database(url, settings, args.holdout, not args.no_holdout, args.stale_days)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
