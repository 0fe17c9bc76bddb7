"""The whole alert pipeline (``blangko alerts run``): alerts from the latest forecasts, the
plan, the officers' e-mail and the planners' digest, delivered by SMTP once."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from blangko.cli import app
from blangko.db import session_scope
from blangko.models import Role
from blangko.settings import get_settings
from blangko.users import create_user
from forecast.nightly import run_alerts
from tests.integration.test_alerts_plans import BANDUNG, BOGOR, forecast, give_stock
from tests.integration.test_outbox import Server
from tests.net import free_port


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    server = Server(free_port())
    server.start()
    monkeypatch.setenv("BLANGKO_SMTP_URL", server.url)
    get_settings.cache_clear()
    yield server
    server.stop()
    get_settings.cache_clear()


def people(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_user(
            session=session,
            username="bandung",
            password="kata-sandi-rahasia",
            role=Role.officer,
            office_code=BANDUNG,
            email="stok@disdukcapil.bandung.example",
        )
        create_user(
            session=session,
            username="pusat",
            password="kata-sandi-rahasia",
            role=Role.planner,
            email="perencana@kemendagri.example",
        )


def test_pipeline_alerts_plans_and_mails_once(engine: Engine, smtp: Server) -> None:
    people(engine)
    with session_scope(engine) as session:
        give_stock(session, BOGOR, 5_000)
        forecast(session, {BANDUNG: 40, BOGOR: 10}, {BANDUNG: 12})

    first = run_alerts(engine)
    second = run_alerts(engine)

    assert first.opened >= 1 and first.plan_lines == 1 and first.plan_coverage == 1.0
    assert (first.emails_queued, first.emails_sent) == (2, 2)
    assert (second.opened, second.emails_queued, second.emails_sent) == (0, 0, 0)
    mails = {tuple(rcpt): mail for rcpt, mail in smtp.inbox.messages}
    assert set(mails) == {("stok@disdukcapil.bandung.example",), ("perencana@kemendagri.example",)}
    officer = mails[("stok@disdukcapil.bandung.example",)]
    body = officer.get_body(preferencelist=("plain",)).get_content()
    assert "[KRITIS] Stok diperkirakan habis" in body
    digest = mails[("perencana@kemendagri.example",)]
    assert digest["Subject"].startswith("[Blangko] Ringkasan harian")
    assert digest["Subject"].endswith(": 2 peringatan terbuka, 1 kantor berisiko kehabisan stok")
    text = digest.get_body(preferencelist=("plain",)).get_content()
    assert f"Kota Bandung ({BANDUNG})" in text
    assert "Rencana realokasi #" in text and "1.400 keping" in text


def test_cli_alerts_run_prints_one_summary_line(engine: Engine) -> None:
    with session_scope(engine) as session:
        forecast(session, {BANDUNG: 40}, {BANDUNG: 12})
    result = CliRunner().invoke(app, ["alerts", "run"])
    assert result.exit_code == 0, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Alerts: 1 opened, 0 updated, 0 resolved, 1 open; plan #")
    assert "e-mails: 0 queued" in line
