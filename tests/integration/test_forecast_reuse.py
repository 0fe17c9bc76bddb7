"""Forecast runs in a row reuse work (forecast/reuse.py): a run after a run on the same
data fits nothing, a corrected report refits only the offices whose series it changed, and
each run records what it raced, refitted and reused."""

from datetime import timedelta

import numpy as np
from sqlalchemy import Engine
from sqlmodel import select

from blangko.db import session_scope
from blangko.forecasts import latest_results
from blangko.ledger import SYSTEM
from blangko.models import DailyReport, ForecastModelState, ForecastRun
from blangko.reports import DailyFigures, save_daily_report
from forecast import runner
from forecast.models import PROPHET, WEEKDAY_MEDIAN, ModelSettings
from tests.integration.test_forecast_runs import BANDUNG, BOGOR, with_history, yesterday

OFFICES = 553


def stats(engine: Engine, run_id: int | None) -> dict[str, int]:
    with session_scope(engine, write=False) as session:
        run = session.get_one(ForecastRun, run_id)
        return dict(run.stats)


def states(engine: Engine) -> dict[str, ForecastModelState]:
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(ForecastModelState)).all()
        for row in rows:
            session.expunge(row)
        return {row.office_code: row for row in rows}


def test_a_second_run_refits_only_what_changed(engine: Engine) -> None:
    with_history(engine, BOGOR, days=130, stock=5000)  # long enough for Prophet
    with_history(engine, BANDUNG, days=40, stock=2000)  # short: the fallback

    first = runner.run_forecast(engine=engine)

    assert stats(engine, first.id) == {"raced": 3, "no_history": OFFICES - 3}
    kept = states(engine)
    assert set(kept) == {BOGOR, BANDUNG, "00"}
    assert kept[BANDUNG].model == WEEKDAY_MEDIAN
    assert kept[BOGOR].chosen_on == yesterday()
    if kept[BOGOR].model == PROPHET:
        assert kept[BOGOR].state["params"]["delta"]
    with session_scope(engine, write=False) as session:
        before = {c: r.model_dump() for c, r in latest_results(session=session).items()}

    # Nothing new in the ledger: nothing is fitted, the forecasts stay the same.
    second = runner.run_forecast(engine=engine)

    assert stats(engine, second.id) == {"reused": 3, "no_history": OFFICES - 3}
    with session_scope(engine, write=False) as session:
        after = latest_results(session=session)
    for code in (BOGOR, BANDUNG, "00"):
        assert after[code].run_id == second.id
        assert after[code].model == before[code]["model"]
        assert after[code].mean_daily_demand == before[code]["mean_daily_demand"]
        assert after[code].backtest_mase == before[code]["backtest_mase"]

    # Bandung corrects yesterday's report: Bandung and the national series are fitted
    # again with the models their backtests chose; Bogor is left alone.
    with session_scope(engine) as session:
        report = session.exec(
            select(DailyReport).where(
                DailyReport.office_code == BANDUNG,
                DailyReport.report_date == yesterday(),
                DailyReport.is_current,
            )
        ).one()
        save_daily_report(
            session=session,
            office_code=BANDUNG,
            report_date=yesterday(),
            figures=DailyFigures(
                print_requests=report.print_requests + 40,
                printed=report.printed,
                backlog=report.backlog + 40,
            ),
            actor=SYSTEM,
        )
    third = runner.run_forecast(engine=engine)

    assert stats(engine, third.id) == {"refitted": 2, "reused": 1, "no_history": OFFICES - 3}
    now = states(engine)
    assert now[BOGOR].fingerprint == kept[BOGOR].fingerprint
    assert now[BANDUNG].run_id == third.id
    assert now[BANDUNG].fingerprint != kept[BANDUNG].fingerprint
    assert now[BANDUNG].chosen_on == kept[BANDUNG].chosen_on  # the choice is kept

    # A run whose settings make every choice too old races every office again.
    fresh = runner.run_forecast(
        engine=engine, settings=runner.RunSettings(models=ModelSettings(choice_max_age_days=0))
    )
    assert stats(engine, fresh.id) == {"raced": 3, "no_history": OFFICES - 3}


def test_the_replay_api_forecasts_series_at_an_origin_without_the_database(
    engine: Engine,
) -> None:
    """What the replay calls per origin: the states of one origin feed the next."""
    with_history(engine, BANDUNG, days=60, stock=3000)
    from forecast.calendar import calendar_for
    from forecast.series import load_series

    end = yesterday()
    with session_scope(engine, write=False) as session:
        full = load_series(
            session=session, office_codes=[BANDUNG], start=end - timedelta(days=59), end=end
        )[BANDUNG]
    calendar = calendar_for(full.start, end + timedelta(days=120))
    settings = runner.RunSettings()
    earlier = type(full)(BANDUNG, full.start, full.values[:-14], full.censored[:-14])

    forecasts, kept = runner.forecast_series([earlier], calendar, settings)
    assert forecasts[BANDUNG].work == "raced" and set(kept) == {BANDUNG}
    assert kept[BANDUNG].fitted_on == end - timedelta(days=14)

    again, _ = runner.forecast_series([full], calendar, settings, previous=kept)
    assert again[BANDUNG].work == "refitted"
    assert again[BANDUNG].chosen_on == end - timedelta(days=14)
    assert np.isfinite(again[BANDUNG].mean).all() and len(again[BANDUNG].mean) == 90
