"""An integrator's client, generated from ``/openapi.json`` with openapi-python-client,
runs an officer's day against a real server (uvicorn in a thread): sign in, read the
stock, save and correct a report (with the ``ETag`` as ``If-Match``), read the stock
card, receive a shipment, ask for blanks, and read a refusal's ``code`` (issue 16 item 8).

A schema that generates warnings, an operation without a name or a problem a client
cannot parse fails here before it fails an integrator."""

import importlib
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import session_scope
from blangko.models import Role
from blangko.shipments import dispatch
from tests.integration.api_support import PASSWORD, SETUP, add_user, stock_office
from tests.integration.ledger_support import days_ago
from tests.net import free_port

pytestmark = pytest.mark.slow

OFFICE = "32.16"
# Documents (PDF, Excel) come back as bytes: the generator knows only octet-stream as such.
CONFIG = {
    "post_hooks": [],
    "content_type_overrides": {
        "application/pdf": "application/octet-stream",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
            "application/octet-stream"
        ),
    },
}


def generate_client(directory: Path) -> tuple[ModuleType, str]:
    """Generates the ``blangko_client`` package from the app's document into
    ``directory``; returns it and what the generator printed."""
    document = directory / "openapi.json"
    document.write_text(json.dumps(create_app().openapi()))
    config = directory / "config.json"
    config.write_text(json.dumps(CONFIG))
    tool = Path(sys.executable).parent / "openapi-python-client"
    command = str(tool) if tool.exists() else shutil.which("openapi-python-client")
    assert command, "openapi-python-client is a dev dependency (pyproject.toml)"
    output = directory / "blangko_client"
    arguments = ["--path", document, "--meta", "none", "--output-path", output, "--config", config]
    done = subprocess.run(
        [command, "generate", *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(directory))
    try:
        for name in [m for m in sys.modules if m.split(".")[0] == "blangko_client"]:
            del sys.modules[name]
        return importlib.import_module("blangko_client"), done.stdout + done.stderr
    finally:
        sys.path.remove(str(directory))


@pytest.fixture
def server(sqlite_engine: Engine) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not running.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def _module(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_an_officer_works_through_the_generated_client(
    sqlite_engine: Engine, server: str, tmp_path: Path
) -> None:
    engine = sqlite_engine
    package, printed = generate_client(tmp_path)
    assert "Warning" not in printed and "WARNING" not in printed, printed
    stock_office(engine, OFFICE, 1000)
    stock_office(engine, "00", 5000)
    with session_scope(engine) as session:
        incoming = dispatch(
            session=session,
            from_office="00",
            to_office=OFFICE,
            quantity=300,
            expected_on=days_ago(engine, "00", -3),
            dispatched_on=days_ago(engine, "00", 2),
            reference="470/77",
            actor=SETUP,
        )
    add_user(engine, "bekasi", Role.officer, OFFICE)

    models = _module(package, "models")
    client_module = _module(package, "client")
    sign_in = _module(package, "api.auth.sign_in")
    get_office_stock = _module(package, "api.stock.get_office_stock")
    save_daily_report = _module(package, "api.daily_reports.save_daily_report")
    get_daily_report = _module(package, "api.daily_reports.get_daily_report")
    get_stock_card = _module(package, "api.stock.get_stock_card")
    list_shipments = _module(package, "api.shipments.list_shipments")
    receive_shipment = _module(package, "api.shipments.receive_shipment")
    create_request = _module(package, "api.allocation_requests.create_allocation_request")

    # Sign in.
    anonymous = client_module.Client(base_url=server)
    token = sign_in.sync(
        client=anonymous, body=models.SignInForm(username="bekasi", password=PASSWORD)
    )
    assert isinstance(token, models.Token), token
    officer = client_module.AuthenticatedClient(base_url=server, token=token.access_token)

    # Stock.
    stock = get_office_stock.sync(OFFICE, client=officer)
    assert isinstance(stock, models.OfficeStockPublic) and stock.on_hand == 1000

    # Save a report, then correct it with the version it was saved as.
    day = days_ago(engine, OFFICE, 1)
    first = save_daily_report.sync_detailed(
        OFFICE,
        day,
        client=officer,
        body=models.DailyReportSave(print_requests=60, printed=50, backlog=10),
        idempotency_key="laporan-1",
    )
    assert first.status_code == 200 and first.parsed.version == 1
    read = get_daily_report.sync_detailed(OFFICE, day, client=officer)
    corrected = save_daily_report.sync(
        OFFICE,
        day,
        client=officer,
        body=models.DailyReportSave(
            print_requests=60, printed=40, backlog=20, spoiled=models.Spoiled(gagal_cetak=2)
        ),
        if_match=read.headers["etag"],
    )
    assert isinstance(corrected, models.DailyReportPublic)
    assert corrected.version == 2 and corrected.spoiled_total == 2
    stale = save_daily_report.sync(
        OFFICE,
        day,
        client=officer,
        body=models.DailyReportSave(printed=1),
        if_match=read.headers["etag"],
    )
    assert isinstance(stale, models.Problem)
    assert stale.code == models.ProblemCode.PRECONDITION_FAILED and stale.errors == []

    # The stock card.
    card = get_stock_card.sync(OFFICE, client=officer, limit=50)
    assert isinstance(card, models.StockCardPublic)
    assert card.closing_balance == 1000 - 42 and card.entries[-1].balance == 958

    # Receive the shipment on its way.
    page = list_shipments.sync(
        client=officer, office=OFFICE, status=models.ShipmentStatus.IN_TRANSIT
    )
    assert isinstance(page, models.ShipmentPage)
    assert [s.id for s in page.items] == [incoming.id] and page.total == 1 and page.next_ is None
    received = receive_shipment.sync(
        page.items[0].id,
        client=officer,
        body=models.ShipmentReceive(received_quantity=300, received_on=days_ago(engine, OFFICE, 0)),
    )
    assert isinstance(received, models.ShipmentPublic)
    assert received.status == models.ShipmentStatus.RECEIVED

    # Ask for blanks.
    asked = create_request.sync(
        client=officer,
        body=models.AllocationRequestCreate(office=OFFICE, quantity=2000, reference="470/12/2026"),
    )
    assert isinstance(asked, models.AllocationRequestPublic)
    assert asked.status == models.RequestStatus.PENDING

    # A refusal: more blanks printed than the office holds.
    refused = save_daily_report.sync(
        OFFICE,
        days_ago(engine, OFFICE, 0),
        client=officer,
        body=models.DailyReportSave(printed=100_000),
    )
    assert isinstance(refused, models.Problem)
    assert refused.code == models.ProblemCode.INSUFFICIENT_STOCK
    assert refused.status == 409 and "stok" in refused.detail.lower()
    bad = save_daily_report.sync(
        OFFICE,
        days_ago(engine, OFFICE, -5),
        client=officer,
        body=models.DailyReportSave(printed=1),
    )
    assert isinstance(bad, models.Problem) and bad.status == 422
    assert bad.code in (models.ProblemCode.FUTURE_DATE, models.ProblemCode.VALIDATION_ERROR)
    assert [e.field for e in bad.errors]
