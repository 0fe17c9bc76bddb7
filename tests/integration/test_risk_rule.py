"""The one stock-out risk rule on a real database (both backends): a forecast run stores
each office's learned lead time and its risk at its own horizon, and the overview's
level, the forecast endpoint, the alert and the planners' digest agree for offices at
and around the threshold."""

from datetime import timedelta

from sqlalchemy import Engine

from blangko.db import session_scope
from blangko.forecasts import latest_result, risk_of
from blangko.risk import HIGH, LOW
from blangko.settings import get_settings
from forecast import runner
from forecast.resupply import lead_times_as_of
from tests.integration.test_forecast_runs import BANDUNG, BOGOR, with_history, yesterday


def test_a_run_stores_the_learned_lead_time_and_the_risk_at_the_office_horizon(
    engine: Engine,
) -> None:
    # Bogor's 300 blanks last about two weeks; Bandung's 20,000 well over a year.
    with_history(engine, BOGOR, days=30, stock=1000)
    with_history(engine, BANDUNG, days=30, stock=20_000)
    for code in (BOGOR, BANDUNG):
        runner.run_forecast(engine=engine, office_code=code)
    safety = get_settings().safety_days
    with session_scope(engine, write=False) as session:
        learned = lead_times_as_of(session=session, as_of=yesterday())
        bogor, bandung = (latest_result(session=session, office_code=c) for c in (BOGOR, BANDUNG))
    for result in (bogor, bandung):
        lead = learned[result.office_code]
        assert (result.lead_time_median, result.lead_time_p90) == (lead.median, lead.p90)
        assert result.lead_time_source == lead.source
        assert result.risk_horizon_days == lead.p90 + safety
    assert bogor.stockout_date is not None
    assert bogor.stockout_date <= yesterday() + timedelta(days=bogor.risk_horizon_days or 0)
    assert bogor.risk_probability is not None and bogor.risk_probability >= 0.9
    assert bandung.risk_probability == 0.0
    assert risk_of(bogor).level == HIGH and risk_of(bandung).level == LOW
