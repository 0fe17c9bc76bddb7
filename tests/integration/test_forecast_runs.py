"""Forecast runs on a real database (both backends): histories written through the
ledger, runs stored with their results, the stock-out date of a constructed case,
shipments in transit, the national projection and the overview."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from blangko.cli import app
from blangko.db import session_scope
from blangko.errors import NotFound
from blangko.forecasts import latest_result, latest_results
from blangko.ledger import SYSTEM
from blangko.models import ForecastResult, ForecastRun, ForecastRunStatus
from blangko.overview import national_overview
from blangko.risk import HIGH
from blangko.shipments import dispatch
from blangko.stock import record_procurement
from forecast import runner
from forecast.calendar import build_calendar
from tests.integration.forecast_data import report_history, stock_office

BANDUNG = "32.73"
BOGOR = "32.01"
WEEK = [30, 28, 27, 29, 25, 10, 0]  # Monday … Sunday
CALENDAR = build_calendar(2024, 2028)


def demand(day: date) -> int:
    """A known pattern: the weekday shape, nothing on holidays."""
    return 0 if day in CALENDAR.closures else WEEK[day.weekday()]


def yesterday() -> date:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date() - timedelta(days=1)


def true_stockout(stock: int, after: date) -> date:
    """The first day the known demand cannot be met from ``stock``."""
    day = after
    while stock >= 0:
        day += timedelta(days=1)
        stock -= demand(day)
    return day


def with_history(engine: Engine, office: str, days: int, stock: int) -> int:
    """``days`` of reports ending yesterday; returns the stock left."""
    first = yesterday() - timedelta(days=days - 1)
    stock_office(engine, office, stock, first)
    return report_history(engine, office, first, days, demand, stock)


@pytest.mark.slow
def test_office_run_predicts_the_known_stockout_and_shipments_move_it(engine: Engine) -> None:
    left = with_history(engine, BANDUNG, days=150, stock=3200 + 850)
    truth = true_stockout(left, yesterday())
    assert 30 <= (truth - yesterday()).days <= 60

    run = runner.run_forecast(engine=engine, office_code=BANDUNG)
    assert run.status is ForecastRunStatus.finished
    assert (run.offices_total, run.offices_done) == (1, 1)
    assert run.versions["prophet"] and run.settings["models"]["horizon_days"] == 90
    assert run.finished_at is not None and run.started_at is not None

    with session_scope(engine, write=False) as session:
        first = latest_result(session=session, office_code=BANDUNG)
    assert first.run_id == run.id and first.as_of == yesterday()
    assert first.model in ("prophet", "weekday_median")
    assert first.stockout_date is not None
    assert abs((first.stockout_date - truth).days) <= 2
    p = first.stockout_probability
    assert p["14"] <= p["30"] <= p["60"]
    assert p["14"] < 0.1 and p["60"] > 0.9
    assert (
        len(first.points) == 90
        and first.points[0]["date"] == (yesterday() + timedelta(days=1)).isoformat()
    )
    assert first.on_hand == left
    assert first.days_of_cover == pytest.approx(left / first.mean_daily_demand, abs=0.1)
    future = [demand(yesterday() + timedelta(days=i)) for i in range(1, 91)]
    assert first.mean_daily_demand == pytest.approx(np.mean(future), rel=0.05)
    assert set(first.backtest["mase"]) == {"prophet", "weekday_median", "seasonal_naive"}
    assert first.backtest_mase is not None and first.backtest_mase < 0.5

    # Blanks on their way: 600 arriving in ten days push the stock-out back ~4 weeks.
    with session_scope(engine) as session:
        give_stock(session, 600, yesterday() + timedelta(days=10))
    runner.run_forecast(engine=engine, office_code=BANDUNG)
    with session_scope(engine, write=False) as session:
        second = latest_result(session=session, office_code=BANDUNG)
    assert second.run_id != first.run_id
    assert second.stockout_date is not None
    shifted = true_stockout(left + 600, yesterday())
    assert abs((second.stockout_date - shifted).days) <= 2
    assert second.stockout_date > first.stockout_date
    assert second.stockout_probability["60"] < first.stockout_probability["60"]


def give_stock(session: Session, quantity: int, expected_on: date) -> None:
    """New national stock dispatched to Bandung, expected on ``expected_on``."""
    record_procurement(
        session=session,
        quantity=quantity,
        received_on=yesterday(),
        reference="PGD-2",
        actor=SYSTEM,
    )
    dispatch(
        session=session,
        from_office="00",
        to_office=BANDUNG,
        quantity=quantity,
        expected_on=expected_on,
        reference="ALK-2",
        actor=SYSTEM,
    )


def test_full_run_stores_every_office_and_the_national_projection(engine: Engine) -> None:
    left_bandung = with_history(engine, BANDUNG, days=40, stock=2000)
    left_bogor = with_history(engine, BOGOR, days=40, stock=400)
    progress: list[tuple[int, int]] = []

    run = runner.run_forecast(engine=engine, progress=lambda d, t: progress.append((d, t)))

    assert run.status is ForecastRunStatus.finished
    assert run.offices_total == run.offices_done == 553
    assert progress[-1] == (553, 553)
    with session_scope(engine, write=False) as session:
        results = latest_results(session=session)
        stored = session.exec(
            select(func.count()).select_from(ForecastResult).where(ForecastResult.run_id == run.id)
        ).one()
        rows = {row.code: row for row in national_overview(session=session)}
    assert stored == 553
    # Short histories take the fallback; offices without reports forecast no demand.
    assert results[BANDUNG].model == "weekday_median"
    assert "riwayat pendek" in results[BANDUNG].note
    assert results["11.01"].mean_daily_demand == 0 and results["11.01"].days_of_cover is None
    national = results["00"]
    assert national.on_hand == left_bandung + left_bogor
    assert national.mean_daily_demand == pytest.approx(
        results[BANDUNG].mean_daily_demand + results[BOGOR].mean_daily_demand, rel=0.02
    )
    # Bogor runs out within a few weeks: the overview shows it.
    assert rows[BOGOR].risk == HIGH
    assert rows[BOGOR].stockout_date == results[BOGOR].stockout_date
    assert rows[BANDUNG].days_of_cover == results[BANDUNG].days_of_cover
    assert rows["11.01"].risk is not None


def test_unknown_office_is_refused_before_anything_is_stored(engine: Engine) -> None:
    with pytest.raises(NotFound):
        runner.run_forecast(engine=engine, office_code="99.99")
    with session_scope(engine, write=False) as session:
        assert session.exec(select(func.count()).select_from(ForecastRun)).one() == 0


def test_a_failing_run_is_recorded_as_failed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_history(engine, BANDUNG, days=20, stock=1000)

    def broken(tasks: list[runner.Task]) -> list[object]:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(runner, "forecast_chunk", broken)
    with pytest.raises(RuntimeError):
        runner.run_forecast(engine=engine, office_code=BANDUNG)
    with session_scope(engine, write=False) as session:
        run = session.exec(select(ForecastRun)).one()
        assert run.status is ForecastRunStatus.failed
        assert "model exploded" in run.error
        assert latest_results(session=session) == {}


def test_cli_forecast_run_for_one_office(engine: Engine) -> None:
    with_history(engine, BANDUNG, days=30, stock=500)
    result = CliRunner().invoke(app, ["forecast", "run", "--office", BANDUNG])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Forecast run 1 finished: 1 offices in ")
    assert last.endswith("1 offices at high risk of running out.")

    missing = CliRunner().invoke(app, ["forecast", "run", "--office", "99.99"])
    assert missing.exit_code == 1
    assert "tidak ditemukan" in missing.output
