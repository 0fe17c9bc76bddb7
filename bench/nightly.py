"""Times the nightly job on 3 years of history (SPEC §7 bar: forecast + alerts + plan +
outbox ≤ 2 min): the forecast of every office, alert evaluation, the reallocation plan,
the alert e-mails and the digest, and sending them to an SMTP server on loopback.

    .venv/bin/python bench/nightly.py [--db PATH] [--years 3]

Without an existing ``--db`` it builds one: ``blangko demo --years N`` when the demo
command exists, otherwise the quick generator in ``_history.py``. Every kab/kota gets an
officer with an e-mail address, so each alert becomes a real message."""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import _history  # the sibling modules of this script
import _server
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from sqlmodel import col, select

from blangko import notifications
from blangko.db import get_engine, make_engine, session_scope
from blangko.models import Office, OfficeKind, Role, User, utcnow
from blangko.settings import get_settings
from blangko.users import hash_password
from forecast.reallocation import OfficeNeed, solve

T = TypeVar("T")


def build(path: Path, years: int) -> None:
    url = f"sqlite:///{path}"
    started = time.perf_counter()
    _server.prepare(url)
    env = {**os.environ, "BLANGKO_DATABASE_URL": url}
    blangko = [sys.executable, "-m", "blangko.cli"]
    has_demo = (
        "demo"
        in subprocess.run([*blangko, "--help"], env=env, capture_output=True, text=True).stdout
    )
    if has_demo:
        # History up to yesterday, so that the night's alerts are about "now".
        start = date.today() - timedelta(days=365 * years)
        subprocess.run(
            [*blangko, "demo", "--years", str(years), "--start", start.isoformat()],
            env=env,
            check=True,
        )
        how = "blangko demo"
    else:
        engine = make_engine(url)
        try:
            _history.generate(engine, years=years)
        finally:
            engine.dispose()
        how = "bench/_history.py"
    add_recipients(url)
    print(f"built {path} with {how} ({years} years) in {time.perf_counter() - started:.0f} s")


def add_recipients(url: str) -> None:
    """An officer with an e-mail address per kab/kota and a planner (one password hash
    for all: hashing 500 passwords would dominate the build)."""
    engine = make_engine(url)
    password_hash = hash_password("bench-password")
    try:
        with session_scope(engine) as session:
            taken = set(session.exec(select(User.username)).all())
            offices = session.exec(
                select(Office.code).where(
                    col(Office.kind).in_([OfficeKind.kabupaten, OfficeKind.kota])
                )
            ).all()
            people: list[tuple[str, Role, str | None]] = [
                (f"petugas{code.replace('.', '')}", Role.officer, code) for code in offices
            ]
            people.append(("bench-perencana", Role.planner, None))
            for username, role, code in people:
                if username not in taken:
                    session.add(
                        User(
                            username=username,
                            password_hash=password_hash,
                            role=role,
                            office_code=code,
                            email=f"{username}@dukcapil.example",
                        )
                    )
    finally:
        engine.dispose()


def timed(label: str, step: Callable[[], T], times: dict[str, float]) -> T:
    started = time.perf_counter()
    result = step()
    times[label] = time.perf_counter() - started
    return result


def run(path: Path) -> None:
    from forecast import alerts, nightly, plans
    from forecast.runner import run_forecast

    controller = Controller(Sink(), hostname="127.0.0.1", port=_server.free_port())
    controller.start()
    os.environ["BLANGKO_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["BLANGKO_SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    times: dict[str, float] = {}
    now = utcnow()
    try:
        forecast_run = timed("forecast", lambda: run_forecast(engine=engine), times)
        with session_scope(engine) as session:
            outcome = timed("alerts", lambda: alerts.evaluate(session=session, now=now), times)
            plan = timed("plan", lambda: plans.build_plan(session=session), times)

            def queue() -> int:
                return nightly.queue_alert_emails(
                    session=session, outcome=outcome, now=now
                ) + nightly.queue_planner_digest(session=session, plan=plan, now=now)

            queued = timed("queue e-mails", queue, times)
            lines = (
                len(plans.plan_lines(session=session, plan_id=plan.id)) if plan and plan.id else 0
            )
        report = timed("send outbox", lambda: notifications.send_due(engine, limit=10_000), times)
        with session_scope(engine, write=False) as session:
            inputs = plans.gather_inputs(session=session, horizon_days=35)
        stressed = stress(inputs.offices)
    finally:
        controller.stop()
        engine.dispose()
    total = sum(times.values())
    steps = ", ".join(f"{label} {seconds:.1f} s" for label, seconds in times.items())
    print(
        f"nightly on {path.name}: {forecast_run.offices_done} offices forecast; "
        f"{len(outcome.opened)} alerts opened, {len(outcome.updated)} updated; "
        f"plan {lines} lines, {plan.total_moved if plan else 0:,} blanks, "
        f"coverage {plan.coverage if plan else 0:.2f}; {queued} e-mails queued, {report.sent} sent"
    )
    print(f"wall time {total:.1f} s (bar 120 s): {steps}")
    # The history may hold no shortage at all; the solver is also timed at full size on
    # the same offices with stock shuffled so that about half are short.
    started = time.perf_counter()
    solution = solve(stressed, national_stock=sum(o.need for o in stressed) // 20)
    print(
        f"solver on {len(stressed)} offices with shortages: {time.perf_counter() - started:.1f} s, "
        f"{len(solution.moves)} moves, {solution.total_moved:,} blanks moved against a deficit "
        f"of {solution.total_deficit:,}, every short office at {solution.coverage:.0%} of its need"
    )


def stress(offices: list[OfficeNeed]) -> list[OfficeNeed]:
    rng = random.Random(11)
    return [replace(o, on_hand=int(o.need * rng.uniform(0.0, 1.3)), incoming=0) for o in offices]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file to use (built if missing)")
    parser.add_argument("--years", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "nightly.db"
        if not path.exists():
            build(path, args.years)
        run(path)


if __name__ == "__main__":
    main()
