"""Scores the warnings on the demo history and times the replay (issue 12 §5; SPEC §8:
recall ≥ 0.9, precision ≥ 0.7, P30 calibration error ≤ 0.1, open stock-out alerts on the
last day at most 25 % of kab/kota, replay of 12 months ≤ 10 minutes on 2 cores).

    .venv/bin/python bench/warnings.py [--db PATH] [--months 12] [--skip-forecast]

Without ``--db`` it builds the default demo (``blangko demo``: 1 January 2022 to
yesterday, as ``make run`` does) in a temporary file. Then it runs the nightly forecast
and the alerts (the last day's open alerts), and the replay of ``--months``."""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col, select

from blangko.db import get_engine, session_scope
from blangko.models import Alert, AlertKind, Office, OfficeKind
from blangko.settings import get_settings


def build(path: Path) -> None:
    env = {**os.environ, "BLANGKO_DATABASE_URL": f"sqlite:///{path}"}
    blangko = [sys.executable, "-m", "blangko.cli"]
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["seed"], ["demo"]):
        subprocess.run([*blangko, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"built the default demo in {path} in {time.perf_counter() - started:.0f} s")


def open_stockout_alerts() -> tuple[int, int]:
    with session_scope(write=False) as session:
        kabkota = session.exec(
            select(sa.func.count())
            .select_from(Office)
            .where(col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota]))
        ).one()
        alerts = session.exec(
            select(sa.func.count())
            .select_from(Alert)
            .where(
                col(Alert.kind) == AlertKind.stockout_risk,
                col(Alert.resolved_at).is_(None),
                col(Alert.office_code).contains("."),
            )
        ).one()
    return int(alerts), int(kabkota)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing SQLite database (else a new demo)")
    parser.add_argument("--months", type=int, default=12, help="months to replay")
    parser.add_argument(
        "--skip-forecast",
        action="store_true",
        help="use the latest forecast and alerts as they are",
    )
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="blangko-warnings-")) / "demo.db"
    if args.db is None:
        build(path)
    os.environ["BLANGKO_DATABASE_URL"] = f"sqlite:///{path}"
    get_settings.cache_clear()
    get_engine.cache_clear()

    from forecast.nightly import run_alerts
    from forecast.replay import ReplaySettings, replay
    from forecast.runner import run_forecast

    if not args.skip_forecast:
        started = time.perf_counter()
        run = run_forecast()
        print(
            f"nightly forecast: {run.offices_done} offices in {time.perf_counter() - started:.0f} s"
        )
        started = time.perf_counter()
        print(f"alerts: {run_alerts().line()} ({time.perf_counter() - started:.0f} s)")
    alerts, kabkota = open_stockout_alerts()

    def progress(done: int, total: int) -> None:
        print(f"  replay origin {done}/{total}", flush=True)

    evaluation = replay(settings=ReplaySettings(months=args.months), progress=progress)
    s = evaluation.scores
    share = alerts / kabkota if kabkota else 0.0
    rows = [
        ("recall (stock-outs warned ≥ lead time ahead)", s.recall, "≥ 0.90", (s.recall or 0) >= 0.9),
        ("precision (warnings followed by a stock-out)", s.precision, "≥ 0.70",
         (s.precision or 0) >= 0.7),
        ("P30 calibration error", s.calibration_error_30, "≤ 0.10",
         s.calibration_error_30 is not None and s.calibration_error_30 <= 0.1),
        ("open stock-out alerts, share of kab/kota", round(share, 3), "≤ 0.25", share <= 0.25),
        (f"replay of {args.months} months, seconds", evaluation.seconds, "≤ 600",
         evaluation.seconds <= 600),
    ]  # fmt: skip
    print(evaluation.line())
    print(
        f"stock-outs {s.stockouts}, warned {s.warned}; warnings {s.warnings}, true "
        f"{s.true_warnings}; false alarms per 100 offices a month "
        f"{s.false_alarms_per_100_offices_month}; Brier {s.brier}; median date error "
        f"{s.median_date_error_days} days; open stock-out alerts {alerts} of {kabkota}"
    )
    for name, value, bar, met in rows:
        print(f"{name:48} {value!s:>8}  bar {bar:7} {'met' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
