"""Times one national forecast a year ahead with its procurement timing (issue 13; bar
≤ 10 s) and prints its backtest error (MASE, relative error of the 90- and 180-day
totals) for each candidate model.

    .venv/bin/python bench/national.py [--db PATH] [--years 3] [--election]

With ``--db`` an existing demo database is used (migrated to head first; the forecast is
stored in it, so use a copy); without it, or when the file does not exist yet, one is
built with ``blangko demo --years N``. The timed figure is ``make_national_forecast()``
as the nightly job and ``blangko forecast national`` run it (read the ledger, backtest,
forecast, store); a second, untimed-for-the-bar pass splits it into reading and
modelling. Prints the load average too: the machine may be shared."""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from blangko.db import make_engine, session_scope
from blangko.migrate import upgrade
from blangko.offices import planner_today
from forecast.national import (
    NationalSettings,
    forecast_national,
    load_national_inputs,
    make_national_forecast,
)
from forecast.national_view import sentence
from forecast.runner import forecast_as_of

BAR_SECONDS = 10.0


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


def share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="SQLite file (built with blangko demo if new)")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument(
        "--election", action="store_true", help="with the election run-up regressor"
    )
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"blangko-demo-{args.years}y.db"
    url = f"sqlite:///{path}" if path.exists() else build_database(path, args.years)
    engine = make_engine(url)
    upgrade(engine)
    settings = replace(NationalSettings.from_environment(), election_effect=args.election)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    outcome = make_national_forecast(engine=engine, settings=settings)
    result, backtest = outcome.result, outcome.backtest
    verdict = "met" if outcome.seconds <= BAR_SECONDS else "NOT met"
    print(
        f"national forecast: {outcome.seconds:.1f} s (bar ≤ {BAR_SECONDS:.0f} s: {verdict}), "
        f"as of {result['as_of']}, {len(result['months'])} months to {result['last_day']}, "
        f"election regressor {'on' if settings.election_effect else 'off'}"
    )

    # The same again in its two parts (the ledger read, then the models).
    began = time.perf_counter()
    with session_scope(engine, write=False) as session:
        as_of = forecast_as_of(session)
        inputs = load_national_inputs(session=session, as_of=as_of, settings=settings)
    read = time.perf_counter() - began
    began = time.perf_counter()
    forecast_national(inputs, settings)
    print(
        f"  split (second pass): ledger read {read:.1f} s, backtest + forecast + paths "
        f"{time.perf_counter() - began:.1f} s"
    )

    print(
        f"backtest: {len(backtest['origins'])} origins ({', '.join(backtest['origins'])}), "
        f"each scored on the {backtest['horizon_days']} days after it"
    )
    for name, scores in backtest["candidates"].items():
        chosen = " (chosen)" if name == outcome.model else ""
        mase = "–" if scores["mase"] is None else f"{scores['mase']:.2f}"
        print(
            f"  {name}{chosen}: MASE {mase}, 90-day total off {share(scores['error_90d'])} "
            f"({', '.join(f'{e:+.1%}' for e in scores['errors_90d'])}), 180-day "
            f"{share(scores['error_180d'])} "
            f"({', '.join(f'{e:+.1%}' for e in scores['errors_180d'])})"
        )
    months = result["months"]
    print(
        f"national stock {result['national_stock']:,}; first month {months[0]['month']}: "
        f"{months[0]['demand_mean']:,} ({months[0]['demand_low']:,} – "
        f"{months[0]['demand_high']:,}); last {months[-1]['month']}: "
        f"{months[-1]['demand_mean']:,} ({months[-1]['demand_low']:,} – "
        f"{months[-1]['demand_high']:,}); spoiled per print {result['spoilage_ratio']:.3f}"
    )
    print(f"timing: {sentence(result, planner_today())}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
