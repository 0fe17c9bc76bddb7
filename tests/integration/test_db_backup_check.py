"""``blangko db backup`` and ``blangko db check`` (issue 11, item 10): a copy taken while
writers post daily reports holds every write acknowledged before it began and passes the
check; the check finds a ledger broken by hand and exits 1."""

import os
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import col, select
from typer.testing import CliRunner

from blangko import ledger, reports, stock
from blangko.cli import app
from blangko.db import make_engine, session_scope
from blangko.models import Account, AccountKind, DailyReport, Entry, Movement
from blangko.reports import DailyFigures
from tests.integration.ledger_support import PLANNER, days_ago

runner = CliRunner()
OFFICES = ["32.16", "32.73", "12.71", "31.71"]


def blangko(url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The installed command against the database at ``url``, as an operator runs it."""
    env = {**os.environ, "BLANGKO_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "blangko.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stock_up(engine: Engine, offices: list[str]) -> None:
    for office in offices:
        with session_scope(engine) as session:
            stock.record_stock_count(
                session=session,
                office_code=office,
                counted_quantity=1_000_000,
                counted_on=days_ago(engine, office, 400),
                actor=PLANNER,
            )


def report(engine: Engine, office: str, on: date, printed: int) -> None:
    with session_scope(engine) as session:
        reports.save_daily_report(
            session=session,
            office_code=office,
            report_date=on,
            figures=DailyFigures(print_requests=printed, printed=printed, spoiled_lainnya=1),
            actor=PLANNER,
        )


def current_reports(url: str) -> set[tuple[str, date]]:
    engine = make_engine(url)
    try:
        with session_scope(engine, write=False) as session:
            rows = session.exec(
                select(DailyReport.office_code, DailyReport.report_date).where(
                    col(DailyReport.is_current)
                )
            ).all()
    finally:
        engine.dispose()
    return {(office, on) for office, on in rows}


def test_backup_under_write_load_holds_every_acknowledged_write(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    live = sqlite_engine.url.render_as_string(hide_password=False)
    stock_up(sqlite_engine, OFFICES)
    acknowledged: list[tuple[str, date]] = []
    guard, stop = threading.Lock(), threading.Event()
    errors: list[BaseException] = []

    def writer(office: str) -> None:
        try:
            for back in range(1, 390):
                if stop.is_set():
                    return
                on = days_ago(sqlite_engine, office, back)
                report(sqlite_engine, office, on, printed=100 + back)
                with guard:  # committed: the writer has its answer
                    acknowledged.append((office, on))
        except BaseException as error:  # surfaced by the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(office,)) for office in OFFICES]
    for thread in threads:
        thread.start()
    try:
        while True:
            with guard:
                if len(acknowledged) >= 40 or errors:
                    before_backup = list(acknowledged)
                    break
            stop.wait(0.01)
        copy = tmp_path / "cadangan.db"
        done = blangko(live, "db", "backup", str(copy))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Backed up {live} to {copy} (")

    restored = tmp_path / "pulih" / "blangko.db"  # restore: the copy is the database file
    restored.parent.mkdir()
    shutil.copyfile(copy, restored)
    restored_url = f"sqlite:///{restored}"
    check = blangko(restored_url, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("\n") == 1 and check.stdout.rstrip().endswith(": OK")
    assert set(before_backup) <= current_reports(restored_url)
    holds = len(current_reports(restored_url))
    # The line says how many movements the copy holds: one per report and per count.
    assert f": {holds + len(OFFICES):,} movements." in done.stdout
    live_check = blangko(live, "db", "check")
    assert live_check.returncode == 0, live_check.stdout


def test_backup_refuses_to_overwrite_unless_forced(sqlite_engine: Engine, tmp_path: Path) -> None:
    stock_up(sqlite_engine, OFFICES[:1])
    target = tmp_path / "ada.db"
    target.write_text("bukan basis data")
    refused = runner.invoke(app, ["db", "backup", str(target)])
    assert refused.exit_code == 1
    assert "sudah ada" in refused.stderr and "--force" in refused.stderr
    assert target.read_text() == "bukan basis data"
    forced = runner.invoke(app, ["db", "backup", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.endswith(": 1 movements.\n")
    assert not list(tmp_path.glob(".ada.db.*"))  # no partial copy left behind
    assert blangko(f"sqlite:///{target}", "db", "check").returncode == 0


def test_backup_of_postgres_names_pg_dump(postgres_url: str, tmp_path: Path) -> None:
    done = blangko(postgres_url, "db", "backup", str(tmp_path / "x.dump"))
    assert done.returncode == 1
    assert "pg_dump --format=custom --file" in done.stderr
    url = make_url(postgres_url)
    assert f"postgresql://{url.username}@{url.host}" in done.stderr  # libpq's URL
    assert f":{url.password}@" not in done.stderr  # the password stays out of the terminal
    assert not (tmp_path / "x.dump").exists()


def break_a_cached_balance(engine: Engine, office: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(Account)
            .where(col(Account.office_code) == office, col(Account.kind) == AccountKind.stock)
            .values(balance=Account.balance + 7)
        )


def test_check_finds_a_cached_balance_broken_in_a_copy(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    stock_up(sqlite_engine, OFFICES[:2])
    copy = tmp_path / "salinan.db"
    assert runner.invoke(app, ["db", "backup", str(copy)]).exit_code == 0
    copy_engine = make_engine(f"sqlite:///{copy}")
    try:
        break_a_cached_balance(copy_engine, OFFICES[1])
    finally:
        copy_engine.dispose()
    broken = blangko(f"sqlite:///{copy}", "db", "check")
    assert broken.returncode == 1
    assert (
        "2 finding(s)" in broken.stdout and "- the sum of all balances is 7, not 0" in broken.stdout
    )
    assert f"cached stock balance of office {OFFICES[1]}" in broken.stdout
    assert "is 1000007, its entries sum to 1000000" in broken.stdout
    assert runner.invoke(app, ["db", "check"]).exit_code == 0  # the original is whole


def test_check_finds_every_invariant_broken_by_hand(engine: Engine) -> None:
    stock_up(engine, OFFICES[:2])
    on = days_ago(engine, OFFICES[0], 3)
    report(engine, OFFICES[0], on, printed=50)
    report(engine, OFFICES[0], on, printed=60)  # a correction: reverses the first version
    healthy = runner.invoke(app, ["db", "check"])
    assert healthy.exit_code == 0, healthy.output
    assert healthy.stdout.startswith("Database ") and healthy.stdout.endswith(": OK\n")
    assert ": 5 movements, " in healthy.stdout  # 2 counts, 2 reports, 1 reversal
    with session_scope(engine, write=False) as session:
        reversal = session.exec(select(Movement).where(col(Movement.reverses_id).is_not(None)))
        original_id = reversal.one().reverses_id
        first_entry = session.exec(
            select(Entry.id).where(Entry.movement_id == original_id).order_by(col(Entry.id))
        ).first()
        stock_of = ledger.balance(session=session, office_code=OFFICES[1], kind=AccountKind.stock)
    assert stock_of == 1_000_000
    with engine.begin() as conn:
        # An entry of a reversed movement changed afterwards: the books and the reversal
        # no longer agree with it.
        conn.execute(sa.update(Entry).where(col(Entry.id) == first_entry).values(quantity=49))
        # A stock balance below zero (and the sum of balances off by the same).
        conn.execute(
            sa.update(Account)
            .where(col(Account.office_code) == OFFICES[1], col(Account.kind) == AccountKind.stock)
            .values(balance=-5)
        )
    found = runner.invoke(app, ["db", "check"])
    assert found.exit_code == 1
    lines = found.stdout.splitlines()
    assert lines[0].endswith("finding(s):")
    assert "- the sum of all balances is -1000005, not 0" in lines
    assert f"- stock balance of office {OFFICES[1]} is -5" in lines
    assert any(f"cached printed balance of office {OFFICES[0]}" in line for line in lines)
    assert any(
        line.startswith("- reversal #") and line.endswith(f"movement #{original_id}")
        for line in lines
    )


def test_sqlite_commits_wait_for_the_disk(sqlite_engine: Engine) -> None:
    """synchronous=FULL: an acknowledged write survives a power cut (NORMAL may lose the
    last commits); SQLite reports FULL as 2."""
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
