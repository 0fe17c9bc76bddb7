"""The national forecast a year ahead and the procurement timing (issue 13 items 1 and 3)
on a real database: a hand-made history with a known demand (one Dinas printing 100
cards and spoiling 2 blanks every day), the stored forecast, the API answer, the
planners' digest and the section of the forecast page."""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from blangko import fmt
from blangko.cli import app
from blangko.db import SQLITE_MMAP_BYTES, session_scope
from blangko.ledger import SYSTEM
from blangko.models import (
    NationalForecast,
    OutboxMessage,
    PlannedProcurement,
    Role,
    TrancheStatus,
)
from blangko.offices import planner_today
from blangko.reports import DailyFigures, save_daily_report
from blangko.stock import record_procurement
from blangko.users import create_user
from forecast.national import NationalSettings, make_national_forecast
from forecast.nightly import run_alerts
from forecast.runner import forecast_as_of
from tests.integration.api_support import add_user, assert_problem, bearer, client
from tests.integration.public_support import receive_blanks
from tests.integration.test_web_pages import PASSWORD, login

OFFICE = "32.16"
BLANKS_A_DAY = 102  # 100 printed + 2 spoiled
RECEIVED = 30_000
# Short histories and few origins keep the tests fast (the defaults: 3 years, 3 origins
# 60 days apart, each scored on 180 days).
QUICK = NationalSettings(
    history_days=240,
    backtest_origins=1,
    backtest_horizon_days=90,
    sample_paths=200,
    target_days=45,
    lead_days=60,
)


def history(engine: Engine, days: int) -> date:
    """``days`` daily reports up to yesterday (WIB): 100 requests, 100 printed, 2 spoiled;
    returns the last reported day. The office received 30,000 blanks before the first."""
    last = planner_today() - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    receive_blanks(engine, OFFICE, RECEIVED, first)
    with session_scope(engine) as session:
        for i in range(days):
            save_daily_report(
                session=session,
                office_code=OFFICE,
                report_date=first + timedelta(days=i),
                figures=DailyFigures(print_requests=100, printed=100, spoiled_gagal_cetak=2),
                actor=SYSTEM,
            )
    return last


def national_stock_of(engine: Engine, days: int, wanted: int) -> None:
    """Procures into Ditjen's stock what brings the national stock to ``wanted``."""
    with session_scope(engine) as session:
        record_procurement(
            session=session,
            quantity=wanted - (RECEIVED - BLANKS_A_DAY * days),
            received_on=planner_today(),
            reference="SPK/2026",
            actor=SYSTEM,
        )


def planner_with_mail(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_user(
            session=session,
            username="perencana",
            password=PASSWORD,
            role=Role.planner,
            email="perencana@dukcapil.go.id",
        )


@pytest.fixture
def web(engine: Engine) -> Iterator[TestClient]:
    with client() as test_client:
        yield test_client


def digest_text(engine: Engine) -> str:
    with session_scope(engine, write=False) as session:
        [digest] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
        return digest.body_text


def test_a_known_demand_gives_its_monthly_totals_and_the_next_tranche(
    engine: Engine, web: TestClient
) -> None:
    planner_with_mail(engine)
    last = history(engine, 240)
    # 12,000 blanks at 102 a day: 45 days' cover (4,590) is reached about 72 days on, so
    # a tranche must be ordered about 11 days from now: inside the digest's 30 days.
    national_stock_of(engine, 240, 12_000)

    outcome = make_national_forecast(engine=engine, settings=QUICK)

    result = outcome.result
    assert result["as_of"] == last.isoformat() and result["national_stock"] == 12_000
    assert result["spoilage_ratio"] == pytest.approx(0.02)
    months = result["months"]
    # The rest of this month and twelve full months (twelve when the first day is the 1st).
    first_day = last + timedelta(days=1)
    assert len(months) == 12 + (first_day.day != 1)
    assert months[0]["month"] == planner_today().strftime("%Y-%m")
    assert (date.fromisoformat(result["last_day"]) - first_day).days + 1 >= 365
    for month in months:
        assert month["demand_mean"] == pytest.approx(BLANKS_A_DAY * month["days"], rel=0.02)
        assert month["demand_low"] <= month["demand_mean"] <= month["demand_high"]
    below = date.fromisoformat(result["stock_below_target_on"])
    # Below 4,590 after (12,000 − 4,590) / 102 = 72.6 days at the mean demand; a little
    # sooner at the 80th percentile.
    assert first_day + timedelta(days=62) <= below <= first_day + timedelta(days=72)
    arrive_by = date.fromisoformat(result["arrive_by"])
    assert arrive_by == below  # it counts in that day's end-of-day stock
    assert date.fromisoformat(result["order_by"]) == arrive_by - timedelta(days=60)
    # Lead + target days of demand from arrival (10,710) less the cover left then (~4,600).
    assert result["next_tranche_quantity"] in range(6_000, 9_001, 1_000)
    assert outcome.backtest["model"] == outcome.model
    assert outcome.backtest["mase"] is not None and outcome.backtest["error_90d"] < 0.05

    # The API, for planners.
    planner = add_user(engine, "api.perencana", Role.planner)
    answer = web.get("/api/v1/forecasts/national", headers=bearer(planner))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["months"][0] == months[0]
    assert [m["month"] for m in body["months"]] == [m["month"] for m in months]
    assert body["stock_below_target_on"] == result["stock_below_target_on"]
    assert body["next_tranche_quantity"] == result["next_tranche_quantity"]
    assert (body["arrive_by"], body["order_by"]) == (result["arrive_by"], result["order_by"])
    assert body["model"] == outcome.model and body["backtest"]["model"] == outcome.model
    assert body["backtest"]["error_90d"] == outcome.backtest["error_90d"]
    assert body["generated_at"].endswith(("Z", "+00:00"))
    sentence = (
        f"Stok nasional diperkirakan di bawah cakupan 45 hari pada {fmt.day(below)}. Tahap "
        f"pengadaan berikutnya: {fmt.number(result['next_tranche_quantity'])} keping, harus tiba paling "
        f"lambat {fmt.day(arrive_by)}, dipesan paling lambat "
        f"{fmt.day(arrive_by - timedelta(days=60))}."
    )
    assert body["sentence"] == sentence

    # The planners' digest: the order date is within 30 days. Beside the sentence, the
    # national stock it starts from (Ditjen and every office), one definition; Ditjen's
    # own stock is labelled as such.
    stock = (
        "Stok nasional 12.000 keping (stok Ditjen dan semua Dinas, ditambah yang dalam "
        f"perjalanan, dikurangi backlog) per {fmt.day(last)}."
    )
    run_alerts(engine, send=False)
    digest = digest_text(engine)
    assert f"Pengadaan: {stock} {sentence}" in digest
    ditjen = 12_000 - (RECEIVED - BLANKS_A_DAY * 240)
    assert f"Stok Ditjen (00): {fmt.number(ditjen)} keping." in digest
    assert "Stok nasional:" not in digest

    # The forecast page.
    login(web, "perencana")
    page = web.get("/prakiraan").text
    assert "Prakiraan nasional 12 bulan" in page
    assert sentence in page
    table = page.split('id="national-months"')[1].split("</table>")[0]
    assert len(re.findall(r"<tr", table)) == 1 + len(months)
    assert fmt.month(first_day + timedelta(days=40)) in table
    assert fmt.number(months[1]["demand_mean"]) in table
    assert "Galat total 90 / 180 hari" in page
    assert "UTC" not in page and "WIB" in page
    assert stock in page
    # The procurement page: Ditjen's balance labelled as Ditjen's, and the timing with the
    # national stock it starts from.
    tranches = web.get("/pengadaan").text
    assert "Stok Ditjen (00)" in tranches and "Stok nasional saat ini" not in tranches
    assert sentence in tranches and stock in tranches


def test_the_digest_is_silent_while_the_order_date_is_far_and_tranches_count(
    engine: Engine, web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner_with_mail(engine)
    monkeypatch.setenv("BLANGKO_NATIONAL_TARGET_DAYS", "30")
    from blangko.settings import get_settings

    get_settings.cache_clear()
    history(engine, 150)
    # 30,000 blanks: below 30 days' cover (3,060) after about 260 days; ordered in ~200.
    national_stock_of(engine, 150, 30_000)

    command = CliRunner().invoke(app, ["forecast", "national"])
    assert command.exit_code == 0, command.output
    assert command.output.startswith("National forecast #1 (")
    assert "stock below 30 days' cover on" in command.output

    planner = add_user(engine, "api.perencana", Role.planner)
    body = web.get("/api/v1/forecasts/national", headers=bearer(planner)).json()
    assert body["target_days"] == 30
    order_by = date.fromisoformat(body["order_by"])
    assert order_by > planner_today() + timedelta(days=30)
    run_alerts(engine, send=False)
    assert "Pengadaan:" not in digest_text(engine)

    # A tranche of 40,000 planned in 100 days: no tranche needed within 12 months.
    with session_scope(engine) as session:
        session.add(
            PlannedProcurement(
                quantity=40_000,
                expected_on=planner_today() + timedelta(days=100),
                reference="SPK/2027/1",
                status=TrancheStatus.ordered,
            )
        )
    make_national_forecast(engine=engine, settings=QUICK)
    body = web.get("/api/v1/forecasts/national", headers=bearer(planner)).json()
    assert [body[k] for k in ("stock_below_target_on", "next_tranche_quantity")] == [None, None]
    assert [body[k] for k in ("arrive_by", "order_by")] == [None, None]
    assert "tidak ada tahap pengadaan yang perlu dipesan dalam 12 bulan" in body["sentence"]
    # The months' projected stock has the tranche from its month on.
    months = body["months"]
    arrival = (planner_today() + timedelta(days=100)).strftime("%Y-%m")
    at = [m["month"] for m in months].index(arrival)
    assert months[at]["projected_stock"] > months[at - 1]["projected_stock"]


def test_the_national_forecast_is_for_planners_and_missing_until_made(
    engine: Engine, web: TestClient
) -> None:
    planner = add_user(engine, "api.perencana", Role.planner)
    admin = add_user(engine, "api.admin", Role.admin)
    officer = add_user(engine, "petugas.bekasi", Role.officer, OFFICE)
    missing = web.get("/api/v1/forecasts/national", headers=bearer(planner))
    body = assert_problem(missing, 404, "not_found")
    assert "blangko forecast national" in body["detail"]
    refused = web.get("/api/v1/forecasts/national", headers=bearer(officer))
    assert_problem(refused, 403, "forbidden")
    assert web.get("/api/v1/forecasts/national", headers=bearer(admin)).status_code == 404

    with session_scope(engine) as session:
        create_user(session=session, username="perencana", password=PASSWORD, role=Role.planner)
    login(web, "perencana")
    page = web.get("/prakiraan").text
    assert "Belum ada prakiraan nasional" in page
    assert 'id="national-chart"' not in page


def test_the_planners_today_is_read_from_the_one_clock(
    engine: Engine, web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``blangko.offices.clock`` is the one clock: stopping it moves the forecast's origin
    and the day the sentence is read on (past the order date: *pesan segera*)."""
    last = history(engine, 150)
    national_stock_of(engine, 150, 20_000)
    make_national_forecast(engine=engine, settings=QUICK)
    planner = add_user(engine, "api.perencana", Role.planner)
    body = web.get("/api/v1/forecasts/national", headers=bearer(planner)).json()
    order_by = date.fromisoformat(body["order_by"])
    assert order_by > planner_today() and "pesan segera" not in body["sentence"]

    # 17:30 UTC is 00:30 WIB of the next day.
    late = datetime.combine(order_by, time(17, 30), UTC)
    monkeypatch.setattr("blangko.offices.clock", lambda: late)
    assert planner_today() == order_by + timedelta(days=1)
    body = web.get("/api/v1/forecasts/national", headers=bearer(planner)).json()
    assert body["sentence"].endswith("Batas pemesanan sudah lewat: pesan segera.")
    # The origin is never after the planners' today.
    early = datetime.combine(last - timedelta(days=10), time(3), UTC)
    monkeypatch.setattr("blangko.offices.clock", lambda: early)
    with session_scope(engine, write=False) as session:
        assert forecast_as_of(session) == last - timedelta(days=10)


def test_every_sqlite_connection_reads_through_memory_mapping(sqlite_engine: Engine) -> None:
    """One place sets it (blangko.db), for every connection: the national forecast's read
    no longer leaves it behind on a pooled connection, and every other read gets it."""
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES


def test_a_tranche_recorded_after_the_forecast_counts_at_once(
    engine: Engine, web: TestClient
) -> None:
    """The stored forecast keeps its demand paths: recording or cancelling a tranche
    changes the timing the API, the page and the digest show without a new forecast. A
    forecast stored before the paths were kept shows its stored timing."""
    planner_with_mail(engine)
    history(engine, 240)
    national_stock_of(engine, 240, 12_000)
    outcome = make_national_forecast(engine=engine, settings=QUICK)
    made = outcome.result
    planner = add_user(engine, "api.perencana", Role.planner)

    def national() -> dict[str, object]:
        answer = web.get("/api/v1/forecasts/national", headers=bearer(planner))
        assert answer.status_code == 200, answer.text
        return answer.json()

    before = national()
    assert before["order_by"] == made["order_by"] is not None
    assert before["next_tranche_quantity"] == made["next_tranche_quantity"]

    # 20,000 blanks in 30 days: about 196 more days at 102 a day.
    recorded = web.post(
        "/api/v1/procurements/planned",
        headers=bearer(planner),
        json={
            "quantity": 20_000,
            "expected_on": (planner_today() + timedelta(days=30)).isoformat(),
            "reference": "SPK/2027/9",
            "status": "ordered",
        },
    )
    assert recorded.status_code == 201, recorded.text
    after = national()
    assert after["order_by"] > before["order_by"]
    assert after["stock_below_target_on"] > before["stock_below_target_on"]
    assert after["months"][-1]["projected_stock"] > before["months"][-1]["projected_stock"]
    assert after["sentence"] != before["sentence"]
    login(web, "perencana")
    assert after["sentence"] in web.get("/prakiraan").text

    cancelled = web.post(
        f"/api/v1/procurements/planned/{recorded.json()['id']}/cancel",
        headers=bearer(planner),
        json={"reason": "anggaran digeser"},
    )
    assert cancelled.status_code == 200, cancelled.text
    again = national()
    assert (again["order_by"], again["next_tranche_quantity"]) == (
        before["order_by"],
        before["next_tranche_quantity"],
    )

    # A forecast stored before the paths were kept: its stored timing, tranche or not.
    web.post(
        "/api/v1/procurements/planned",
        headers=bearer(planner),
        json={
            "quantity": 20_000,
            "expected_on": (planner_today() + timedelta(days=30)).isoformat(),
            "reference": "SPK/2027/10",
            "status": "ordered",
        },
    )
    with session_scope(engine) as session:
        old = {k: v for k, v in made.items() if k not in ("daily_mean", "cumulative_p80")}
        session.add(
            NationalForecast(
                as_of=date.fromisoformat(made["as_of"]),
                model=outcome.model,
                result=old,
                backtest=outcome.backtest,
            )
        )
    stored = national()
    assert (stored["order_by"], stored["next_tranche_quantity"]) == (
        made["order_by"],
        made["next_tranche_quantity"],
    )
