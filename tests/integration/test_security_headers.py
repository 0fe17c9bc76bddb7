"""Every response, page or API, tells the browser to run only our own scripts, never to
frame the page, not to sniff types and to keep the referrer on the site; over https
cookies are Secure and HSTS is sent. No template carries inline script."""

import base64
import hashlib
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import pytest
from sqlalchemy import Engine

from blangko.models import Role
from blangko.settings import get_settings
from tests.integration.api_support import add_user, bearer, client

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.app import create_app

TEMPLATES = Path(__file__).parents[2] / "web" / "templates"
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


def policy(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


def assert_protected(headers: Mapping[str, str]) -> None:
    csp = policy(headers["content-security-policy"])
    assert {name: csp.get(name) for name in STRICT} == STRICT
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_pages_api_errors_and_static_files_carry_the_headers(engine: Engine) -> None:
    planner = add_user(engine, "planner", Role.planner)
    http = client()
    answers = [
        http.get("/login"),
        http.get("/static/js/charts.js"),
        http.get("/api/v1/offices", headers=bearer(planner)),
        http.get("/api/v1/offices"),  # 401 problem
        http.get("/halaman-yang-tidak-ada"),
        http.get("/openapi.json"),
        http.get("/healthz"),
    ]
    for answer in answers:
        assert_protected(answer.headers)
    assert "strict-transport-security" not in answers[0].headers
    assert "secure" not in answers[0].headers["set-cookie"].lower()  # plain http: no Secure


@pytest.mark.parametrize("how", ["setting", "scheme"])
def test_over_https_cookies_are_secure_and_hsts_is_sent(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "setting":  # TLS ends at a proxy that does not say so
        monkeypatch.setenv("BLANGKO_HTTPS", "true")
        get_settings.cache_clear()
    base = "https://testserver" if how == "scheme" else "http://testserver"
    page = TestClient(create_app(), base_url=base).get("/login")
    assert_protected(page.headers)
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("blangko_session=") and re.search(r";\s*Secure\b", cookie)


def test_the_api_docs_page_may_load_swagger_ui_and_nothing_else(sqlite_engine: Engine) -> None:
    http = client()
    page = http.get("/api/docs")
    assert page.status_code == 200
    # Swagger UI comes from our own copy: an office without internet still gets the page.
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/static/vendor/swagger-ui/") for a in assets), assets
    assert all(http.get(a).status_code == 200 for a in assets)
    csp = policy(page.headers["content-security-policy"])
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert csp["script-src"].split() == ["'self'", f"'sha256-{digest}'"]
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe" not in page.headers["content-security-policy"]


def test_no_template_has_inline_script_or_style() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template  # onclick= and the like
        assert not re.search(r"\sstyle\s*=", text), template
        assert "<style" not in text and "javascript:" not in text, template
