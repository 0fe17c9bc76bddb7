"""The ``blangko`` command. Each command prints one line a person can read saying what
it did; slow commands show progress. Commands that need forecast/, api/ or web/ import
them inside the command."""

import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

import typer
from sqlmodel import Session

from blangko.db import get_engine, session_scope
from blangko.errors import DomainError
from blangko.models import Role, User

app = typer.Typer(
    help="Blangko: stok dan distribusi blangko KTP-el.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema, backup and checks.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


def fail(message: str) -> None:
    typer.secho(f"Gagal: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema (Alembic head)."""
    from blangko.migrate import current_revision, head_revision, upgrade

    engine = get_engine()
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        typer.echo(f"Database {url} already at {after} (head {head_revision()}).")
    else:
        typer.echo(f"Database {url} migrated from {before or 'empty'} to {after}.")


@db_app.command("backup")
def db_backup(
    path: Path = typer.Argument(..., help="the file to write, e.g. blangko-2026-12-01.db"),
    force: bool = typer.Option(False, "--force", help="overwrite the file if it exists"),
) -> None:
    """Copy the SQLite database to PATH while the server keeps running (for PostgreSQL,
    says which pg_dump command to run instead)."""
    from blangko.backup import backup_sqlite

    engine = get_engine()
    try:
        done = backup_sqlite(engine, path, force=force)
    except DomainError as error:
        fail(error.message)
    url = engine.url.render_as_string(hide_password=True)
    typer.echo(
        f"Backed up {url} to {done.path} ({done.size_bytes / 1_000_000:.1f} MB): "
        f"{done.movements:,} movements."
    )


@db_app.command("check")
def db_check() -> None:
    """Check the ledger's four invariants and the database's own integrity; exit 1 and list
    the findings if anything is wrong."""
    from blangko.integrity import check

    engine = get_engine()
    url = engine.url.render_as_string(hide_password=True)
    report = check(engine)
    if report.findings:
        typer.echo(f"Database {url}: {len(report.findings)} finding(s):")
        for finding in report.findings:
            typer.echo(f"- {finding}")
        raise typer.Exit(code=1)
    typer.echo(
        f"Database {url}: {report.movements:,} movements, {report.entries:,} entries, "
        f"ledger invariants hold, {report.checked}: OK"
    )


@app.command()
def seed() -> None:
    """Load the 553 offices (national, 38 provinces, 514 kab/kota) and their accounts."""
    from blangko.offices import seed_offices

    with session_scope() as session:
        result = seed_offices(session=session)
    total = result.created + result.existing
    typer.echo(
        f"Offices: {result.created} added, {result.existing} already present, {total} in all."
    )


def _password(password_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice at the prompt."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    from blangko.users import confirm_password

    password = getpass.getpass("Kata sandi: ")
    try:
        confirm_password(password, getpass.getpass("Ulangi kata sandi: "))
    except DomainError as error:
        fail(error.message)
    return password


def _role(text: str) -> Role:
    from blangko.users import parse_role

    try:
        return parse_role(text)
    except DomainError as error:
        fail(error.message)
        raise  # not reached: fail() exits with code 1


def _change_user(username: str, change: Callable[[Session, User], None]) -> User:
    """Applies ``change`` to the account in one transaction (the change is recorded in
    ``user_events`` by the service); a refusal exits with its Indonesian message."""
    from blangko.users import get_user

    try:
        with session_scope() as session:
            user = get_user(session=session, username=username)
            change(session, user)
    except DomainError as error:
        fail(error.message)
    return user


def _require_user(username: str) -> None:
    """Refuses an unknown username before the password is asked for."""
    from blangko.users import get_user

    try:
        with session_scope(write=False) as session:
            get_user(session=session, username=username)
    except DomainError as error:
        fail(error.message)


_PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="read the password from stdin")


@users_app.command("add")
def users_add(
    username: str,
    role: str = typer.Option(..., "--role", help="admin, planner or officer"),
    office: str | None = typer.Option(None, "--office", help="Kemendagri code, e.g. 32.16"),
    email: str | None = typer.Option(None, "--email"),
    password_stdin: bool = _PASSWORD_STDIN,
) -> None:
    """Create a user; the password is read from stdin or prompted for."""
    from blangko.users import create_user

    # Checked here rather than by typer so that the refusal speaks Indonesian too.
    chosen = _role(role)
    password = _password(password_stdin)
    try:
        with session_scope() as session:
            user = create_user(
                session=session,
                username=username,
                password=password,
                role=chosen,
                office_code=office,
                email=email,
            )
    except DomainError as error:
        fail(error.message)
    where = f" for office {user.office_code}" if user.office_code else ""
    typer.echo(f"User {user.username} ({user.role}){where} created with id {user.id}.")


@users_app.command("list")
def users_list() -> None:
    """Show every account: username, role, office, e-mail, active, created (WIB)."""
    from zoneinfo import ZoneInfo

    from blangko.offices import WIB
    from blangko.users import list_users

    with session_scope(write=False) as session:
        accounts = list_users(session=session)
    if not accounts:
        typer.echo("No users yet; create one with 'blangko users add'.")
        return
    rows = [("username", "role", "office", "e-mail", "active", "created (WIB)")] + [
        (
            u.username,
            u.role.value,
            u.office_code or "-",
            u.email or "-",
            "yes" if u.is_active else "no",
            f"{u.created_at.astimezone(ZoneInfo(WIB)):%Y-%m-%d %H:%M}",
        )
        for u in accounts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    active = sum(1 for u in accounts if u.is_active)
    typer.echo(f"{len(accounts)} users, {active} active.")


@users_app.command("set-password")
def users_set_password(username: str, password_stdin: bool = _PASSWORD_STDIN) -> None:
    """Give a user a new password (from stdin or prompted twice); their sessions end."""
    from blangko.users import set_password

    _require_user(username)
    password = _password(password_stdin)
    user = _change_user(
        username, lambda session, user: set_password(session=session, user=user, password=password)
    )
    typer.echo(f"Password of {user.username} changed; their sessions and tokens ended.")


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """Stop a user from signing in (accounts are never deleted); their sessions end."""
    from blangko.users import set_active

    user = _change_user(
        username, lambda session, user: set_active(session=session, user=user, active=False)
    )
    typer.echo(f"User {user.username} deactivated: cannot sign in; their sessions ended.")


@users_app.command("activate")
def users_activate(username: str) -> None:
    """Let a deactivated user sign in again."""
    from blangko.users import set_active

    user = _change_user(
        username, lambda session, user: set_active(session=session, user=user, active=True)
    )
    typer.echo(f"User {user.username} activated: can sign in again.")


@users_app.command("set-role")
def users_set_role(
    username: str,
    role: str = typer.Option(..., "--role", help="admin, planner or officer"),
    office: str | None = typer.Option(
        None, "--office", help="Kemendagri code (required for officers)"
    ),
) -> None:
    """Change a user's role and office; their sessions end."""
    from blangko.users import set_role

    chosen = _role(role)
    user = _change_user(
        username,
        lambda session, user: set_role(session=session, user=user, role=chosen, office_code=office),
    )
    where = f" of office {user.office_code}" if user.office_code else ""
    typer.echo(f"User {user.username} is now {user.role}{where}; their sessions ended.")


@users_app.command("set-profile")
def users_set_profile(
    username: str,
    full_name: str = typer.Option(..., "--full-name", help="nama lengkap, as signed"),
    nip: str = typer.Option("", "--nip", help="NIP, 18 digits (may be empty)"),
    position: str = typer.Option("", "--position", help="jabatan"),
) -> None:
    """Who the user is on paper: the signature blocks of BAST and berita acara."""
    from blangko.users import set_profile

    user = _change_user(
        username,
        lambda session, user: set_profile(
            session=session, user=user, full_name=full_name, nip=nip, position=position
        ),
    )
    typer.echo(f"Profile of {user.username}: {user.full_name}, NIP {user.nip or '-'}.")


@app.command("number-pattern")
def number_pattern(
    office: str = typer.Argument(..., help="Kemendagri code of the office"),
    pattern: str | None = typer.Argument(
        None, help="e.g. '470/{seq}/Disdukcapil/{year}'; left out: back to the default"
    ),
) -> None:
    """Set how an office numbers its BAST ({seq} and {year}; also {month}, {office})."""
    from blangko.documents.numbering import DEFAULT_PATTERN, set_pattern
    from blangko.offices import get_office

    try:
        with session_scope() as session:
            set_pattern(
                session=session, office=get_office(session=session, code=office), pattern=pattern
            )
    except DomainError as error:
        fail(error.message)
    typer.echo(f"BAST of {office} numbered as {pattern or DEFAULT_PATTERN}.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    workers: int = typer.Option(
        1, "--workers", min=1, help="web worker processes (one per core serves the most)"
    ),
    no_scheduler: bool = typer.Option(
        False, "--no-scheduler", help="do not run the scheduled jobs in this process"
    ),
    with_demo: bool = typer.Option(
        False,
        "--demo",
        help="on an empty database, load the demo history first, then forecast and alert",
    ),
) -> None:
    """Serve the web pages and the JSON API (and the scheduled jobs) with uvicorn."""
    import uvicorn

    from blangko.forecasts import latest_run
    from blangko.migrate import current_revision, head_revision
    from blangko.secret_key import SecretKeyError
    from blangko.settings import get_settings, secret_key

    try:
        secret_key()  # made here, once, so that every worker reads the same key
    except SecretKeyError as error:
        fail(str(error))
    engine = get_engine()
    if current_revision(engine) != head_revision():
        fail("skema basis data belum terbaru. Jalankan 'blangko db upgrade' dulu.")
    proxies = get_settings().trusted_proxies
    if with_demo:
        demo(years=None, start="2022-01-01", offices=None, seed=2024, if_empty=True)
        with session_scope(write=False) as session:
            forecast_missing = latest_run(session=session) is None
        if forecast_missing:
            forecast_run(office=None, run_id=None)
            forecast_national()
            alerts_run()
    url = engine.url.render_as_string(hide_password=True)
    scheduler = None
    if not no_scheduler:
        from forecast.jobs import PARENT_SCHEDULER_ENV, background_scheduler

        scheduler = background_scheduler()
        scheduler.start()
        os.environ[PARENT_SCHEDULER_ENV] = str(os.getpid())
    # The scheduler runs in this process only; uvicorn starts the workers as new processes.
    jobs = "with" if scheduler else "without"
    behind = f", forwarded headers from {', '.join(proxies)}" if proxies else ""
    typer.echo(
        f"Serving Blangko on http://{host}:{port} with {workers} worker(s) (database {url}), "
        f"{jobs} scheduled jobs{behind}."
    )
    try:
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            # Forwarded headers only from the configured proxies (uvicorn's default trusts
            # 127.0.0.1, so anything on the machine could pick its own client address).
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies,
        )
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


forecast_app = typer.Typer(help="Demand forecasts and stock projections.", no_args_is_help=True)
app.add_typer(forecast_app, name="forecast")


@forecast_app.command("run")
def forecast_run(
    office: str | None = typer.Option(None, "--office", help="only this office, e.g. 32.73"),
    run_id: int | None = typer.Option(
        None, "--run-id", help="carry out a queued run (used by the API)", hidden=True
    ),
) -> None:
    """Forecast demand and project stock for one or all offices (90 days)."""
    import time

    from forecast.runner import run_forecast

    started = time.perf_counter()
    with typer.progressbar(length=1, label="Prakiraan", show_pos=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            run = run_forecast(run_id=run_id, office_code=office, progress=progress)
        except DomainError as error:
            fail(error.message)
    from blangko.forecasts import latest_summaries
    from blangko.risk import HIGH

    with session_scope(write=False) as session:
        summaries = latest_summaries(session=session)
    at_risk = sum(1 for code, s in summaries.items() if code != "00" and s.risk == HIGH)
    seconds = time.perf_counter() - started
    typer.echo(
        f"Forecast run {run.id} finished: {run.offices_done} offices in {seconds:.1f} s; "
        f"{at_risk} offices at high risk of running out."
    )


@forecast_app.command("national")
def forecast_national() -> None:
    """Forecast national demand 12 months ahead (monthly totals with an 80 % band, the
    model chosen by backtest) and the procurement timing; stored for the planners' page,
    the API and the digest."""
    from forecast.national import make_national_forecast

    try:
        outcome = make_national_forecast()
    except DomainError as error:
        fail(error.message)
    typer.echo(outcome.line())


alerts_app = typer.Typer(help="Alerts, reallocation plan and alert e-mails.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("run")
def alerts_run() -> None:
    """Evaluate alerts from the latest forecasts, build the reallocation plan, queue and
    send the e-mails."""
    from forecast.nightly import run_alerts

    typer.echo(run_alerts().line())


@alerts_app.command("evaluate")
def alerts_evaluate(
    months: int = typer.Option(12, "--months", min=1, max=36, help="months to replay"),
    step_days: int = typer.Option(
        7, "--step-days", min=1, max=14, help="days between replayed origins"
    ),
) -> None:
    """Replay the warnings of the last months with only what was known each day and score
    them (recall, precision, calibration); stored for the planners' page and the API."""
    from forecast.replay import ReplaySettings, replay

    with typer.progressbar(length=1, label="Replay", show_pos=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            evaluation = replay(
                settings=ReplaySettings(months=months, step_days=step_days), progress=progress
            )
        except DomainError as error:
            fail(error.message)
    typer.echo(evaluation.line())


@app.command()
def scheduler() -> None:
    """Run the scheduled jobs alone (with several web workers started with --no-scheduler)."""
    import logging

    from forecast.jobs import blocking_scheduler, job_specs

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    jobs = blocking_scheduler()
    names = ", ".join(spec.id for spec in job_specs())
    typer.echo(f"Scheduler started with jobs {names} (Asia/Jakarta); stop with Ctrl+C.")
    try:
        jobs.start()
    except (KeyboardInterrupt, SystemExit):
        typer.echo("Scheduler stopped.")


# --- demo history (issue 4) -------------------------------------------------------------


@app.command()
def demo(
    years: int | None = typer.Option(
        None, "--years", help="years of history from --start (default: up to yesterday)"
    ),
    start: str = typer.Option("2022-01-01", "--start", help="first day, YYYY-MM-DD"),
    offices: str | None = typer.Option(
        None, "--offices", help="only these kab/kota, e.g. 32.16,12.71 (+ provinces, national)"
    ),
    seed: int = typer.Option(2024, "--seed", help="random seed; the same seed, the same history"),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="do nothing (and succeed) when the ledger already has data"
    ),
) -> None:
    """Fill an empty database with a simulated national history and demo users."""
    from datetime import date

    from blangko.demo import run_demo
    from blangko.demo.cli_output import DemoProgress, result_lines

    try:
        first = date.fromisoformat(start)
    except ValueError:
        fail(f"tanggal --start '{start}' tidak valid; tulis seperti 2022-01-01.")
    codes = [c.strip() for c in offices.split(",") if c.strip()] if offices else None
    with DemoProgress() as progress:
        try:
            result = run_demo(
                years=years,
                start=first,
                offices=codes,
                seed=seed,
                if_empty=if_empty,
                progress=progress,
            )
        except DomainError as error:
            fail(error.message)
    for line in result_lines(result):
        typer.echo(line)


if __name__ == "__main__":
    app()
