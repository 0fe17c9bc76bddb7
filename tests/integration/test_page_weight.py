"""What a page weighs on the wire (issue 16 item 4): pages, JSON, CSS and JS compressed;
the public pages' validators still answer 304; static files under versioned addresses
cached for a year; scripts that never hold the first paint back; a favicon."""

import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import session_scope
from blangko.models import Role
from blangko.users import create_user
from tests.integration.public_support import Day, office_with, public_client
from tests.integration.test_web_pages import PASSWORD, login
from web.assets import STATIC, content_hash

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
ASSET = re.compile(r'(?:href|src|data-chartjs)="(/static/[^"?]+)\?v=([0-9a-f]{12})"')


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    with session_scope() as session:
        create_user(
            session=session,
            username="petugas.bekasi",
            password=PASSWORD,
            role=Role.officer,
            office_code="32.16",
        )
    with TestClient(create_app()) as test_client:
        yield test_client


def test_pages_json_css_and_js_are_compressed(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    page = client.get("/kantor/32.16", headers=GZIP)
    schema = client.get("/openapi.json", headers=GZIP)
    assets = dict(ASSET.findall(page.text))
    css = client.get(f"/static/css/blangko.css?v={assets['/static/css/blangko.css']}", headers=GZIP)
    chart = client.get("/static/vendor/chartjs/chart.umd.min.js", headers=GZIP)
    plain = client.get("/static/vendor/chartjs/chart.umd.min.js", headers=IDENTITY)
    for answer in (page, schema, css, chart):
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip", answer.url
        assert "accept-encoding" in answer.headers["vary"].lower()
    # Chart.js: 210 KB as it is, about a third of that on the wire.
    assert "content-encoding" not in plain.headers
    assert chart.num_bytes_downloaded < len(plain.content) / 2
    assert chart.content == plain.content


def test_public_pages_compressed_still_revalidate_with_304(sqlite_engine: Engine) -> None:
    office_with(sqlite_engine, "32.16", received=5800, days=[Day()] * 28)
    with public_client() as client:
        first = client.get("/publik/32.16", headers=GZIP)
        again = client.get(
            "/publik/32.16", headers={**GZIP, "If-None-Match": first.headers["etag"]}
        )
        plain = client.get("/publik/32.16", headers=IDENTITY)
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["cache-control"] == "public, max-age=60"
    assert again.status_code == 304 and again.content == b""
    assert plain.headers["etag"] == first.headers["etag"] and plain.text == first.text


def test_static_files_have_versioned_addresses_cached_for_a_year(client: TestClient) -> None:
    login(client, "petugas.bekasi")
    page = client.get("/kantor/32.16").text
    assets = dict(ASSET.findall(page))
    assert {
        "/static/vendor/pico/pico.min.css",
        "/static/css/blangko.css",
        "/static/vendor/chartjs/chart.umd.min.js",
        "/static/js/charts.js",
        "/static/favicon.ico",
    } <= set(assets)
    for path, version in assets.items():
        kept = client.get(f"{path}?v={version}")
        assert kept.status_code == 200
        assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Without the version, or with another file's, the browser asks again every time.
    css = "/static/css/blangko.css"
    assert client.get(css).headers["cache-control"] == "no-cache"
    assert client.get(f"{css}?v=000000000000").headers["cache-control"] == "no-cache"
    revalidated = client.get(css, headers={"If-None-Match": client.get(css).headers["etag"]})
    assert revalidated.status_code == 304


def test_the_version_is_the_content_hash() -> None:
    """An upgrade that changes a file changes its address: nobody keeps the old copy."""
    css = (STATIC / "css" / "blangko.css").read_bytes()
    assert content_hash("css/blangko.css") == hashlib.sha256(css).hexdigest()[:12]
    assert content_hash("css/blangko.css") != content_hash("vendor/pico/pico.min.css")


def test_no_script_holds_the_first_paint_back(client: TestClient) -> None:
    """Every script is deferred, and Chart.js is not even among them: the chart's loader
    fetches it after the page has loaded, when the chart comes near the screen."""
    login(client, "petugas.bekasi")
    page = client.get("/kantor/32.16").text
    scripts = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", page)
    assert scripts and all(" defer" in tag for tag in scripts), scripts
    assert not any("chart.umd.min.js" in tag for tag in scripts)
    assert re.search(r'data-chartjs="/static/vendor/chartjs/chart\.umd\.min\.js\?v=', page)


def test_favicon_is_served(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in icon.headers["cache-control"]
