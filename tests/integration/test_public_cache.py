"""The public pages under load (issue 14 item 3): validators a browser or proxy can
revalidate with (ETag, Last-Modified, 304), a cache that follows the ledger, and a limit
per client address that believes X-Forwarded-For only from BLANGKO_TRUSTED_PROXIES."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from tests.integration.public_support import Day, office_with, public_client
from tests.net import free_port
from web.rate_limit import RateLimit

MONTH = [Day()] * 27


def test_a_visitor_revalidates_and_gets_304_until_the_ledger_changes(
    sqlite_engine: Engine,
) -> None:
    office_with(sqlite_engine, "32.16", received=5800, days=[*MONTH, Day()])
    with public_client() as client:
        first = client.get("/publik/32.16")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert first.headers["cache-control"] == "public, max-age=60"
        again = client.get("/publik/32.16", headers={"If-None-Match": etag})
        by_date = client.get("/publik/32.16", headers={"If-Modified-Since": modified})
        stale = client.get("/publik/32.16", headers={"If-None-Match": '"something-else"'})
        data = client.get("/publik/data.csv")
        data_again = client.get("/publik/data.csv", headers={"If-None-Match": data.headers["etag"]})

        office_with(sqlite_engine, "32.16", received=1, days=[Day(printed=2950)], silent_days=0)
        changed = client.get("/publik/32.16", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert by_date.status_code == 304
    assert stale.status_code == 200 and "Tersedia" in stale.text
    assert data_again.status_code == 304
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag and "Habis" in changed.text


def test_a_signed_in_visitor_is_not_kept_by_shared_caches(sqlite_engine: Engine) -> None:
    with public_client() as client:
        client.cookies.set("blangko_session", "anything")
        response = client.get("/publik/32.16")
    assert response.headers["cache-control"] == "private, max-age=60"


@contextmanager
def served(trusted: list[str], limit: RateLimit) -> Iterator[str]:
    """The app as ``blangko serve`` runs it: forwarded headers from ``trusted`` only."""
    app = create_app()
    app.state.public_limit = limit
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def statuses(base: str, client_ip: str, count: int) -> list[int]:
    with httpx.Client(base_url=base) as client:
        return [
            client.get("/publik/32.16", headers={"X-Forwarded-For": client_ip}).status_code
            for _ in range(count)
        ]


def test_each_address_behind_a_trusted_proxy_has_its_own_limit(sqlite_engine: Engine) -> None:
    with served(["127.0.0.1"], RateLimit(rate=0.001, burst=5)) as base:
        hog = statuses(base, "10.1.2.3", 7)
        neighbour = statuses(base, "10.1.2.4", 1)
        with httpx.Client(base_url=base) as client:
            refused = client.get("/publik", headers={"X-Forwarded-For": "10.1.2.3"})
    assert hog == [200] * 5 + [429] * 2
    assert neighbour == [200]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "Terlalu banyak permintaan" in refused.text


def test_without_trusted_proxies_a_forged_forwarded_header_buys_nothing(
    sqlite_engine: Engine,
) -> None:
    with served([], RateLimit(rate=0.001, burst=5)) as base:
        answers = [statuses(base, f"10.9.9.{i}", 1)[0] for i in range(7)]
    assert answers == [200] * 5 + [429] * 2
