"""The administrators' user page and "Ganti kata sandi" through the real app (issue 11 §3):
admins only; each change is written, recorded (who, when in WIB, what), shown to admins
and ends the account's sessions; a refused form shows the Indonesian message in place,
keeps what was typed (never a password) and writes nothing; a user changes their own
password, stays signed in on this browser, and a cookie copied before no longer works."""

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from api.app import create_app
from blangko.db import session_scope
from blangko.models import Role
from blangko.users import list_events
from tests.integration.api_support import PASSWORD, add_user
from tests.integration.users_support import (
    account,
    accounts_state,
    events_of,
    password_works,
)

ADMIN = "admin.pusat"
NEW_PASSWORD = "sandi-baru-yang-panjang"


def _users_and_client(engine: Engine) -> Iterator[TestClient]:
    add_user(engine, ADMIN, Role.admin)
    add_user(engine, "perencana", Role.planner)
    add_user(engine, "petugas.bekasi", Role.officer, "32.16")
    with TestClient(create_app()) as client:
        yield client


@pytest.fixture
def site(engine: Engine) -> Iterator[TestClient]:
    """An admin, a planner and an officer of 32.16, on SQLite and PostgreSQL."""
    yield from _users_and_client(engine)


@pytest.fixture
def sqlite_site(sqlite_engine: Engine) -> Iterator[TestClient]:
    """The same on SQLite only, for the many refusals (each signs in with argon2)."""
    yield from _users_and_client(sqlite_engine)


def browser() -> TestClient:
    return TestClient(create_app())


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": csrf(client, "/login")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def signed_in(client: TestClient) -> bool:
    """Whether the client's cookie still opens a page (not sent to /login)."""
    return client.get("/akun/kata-sandi", follow_redirects=False).status_code == 200


def user_id(username: str) -> int:
    found = account(username).id
    assert found is not None
    return found


@pytest.mark.parametrize("username", ["perencana", "petugas.bekasi"])
def test_only_admins_open_the_user_pages(site: TestClient, username: str) -> None:
    login(site, username)
    target = user_id("petugas.bekasi")
    token = csrf(site, "/akun/kata-sandi")
    before = accounts_state()
    for path in ("/admin/pengguna", f"/admin/pengguna/{target}"):
        page = site.get(path)
        assert page.status_code == 403, path
        assert "hanya dapat dilakukan oleh admin" in page.text and 'lang="id"' in page.text
    writes = {
        "/admin/pengguna": {"username": "penyusup", "role": "admin", "password": NEW_PASSWORD},
        f"/admin/pengguna/{target}/kata-sandi": {"password": NEW_PASSWORD},
        f"/admin/pengguna/{target}/peran": {"role": "admin"},
        f"/admin/pengguna/{target}/nonaktifkan": {},
    }
    for path, data in writes.items():
        answer = site.post(path, data={**data, "password_repeat": NEW_PASSWORD, "csrf": token})
        assert answer.status_code == 403, path
    assert accounts_state() == before
    assert 'href="/admin/pengguna"' not in site.get("/akun/kata-sandi").text


def test_visitors_are_sent_to_login(site: TestClient) -> None:
    for path in ("/admin/pengguna", "/akun/kata-sandi"):
        answer = site.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_admin_lists_and_creates_users(site: TestClient) -> None:
    login(site, ADMIN)
    page = site.get("/admin/pengguna")
    assert page.status_code == 200
    assert 'href="/admin/pengguna"' in page.text and 'href="/akun/kata-sandi"' in page.text
    assert "petugas.bekasi" in page.text and "32.16" in page.text
    assert "minimal 10 karakter" in page.text  # the password rules, in Indonesian
    answer = site.post(
        "/admin/pengguna",
        data={
            "csrf": csrf(site, "/admin/pengguna"),
            "username": "Siti.Medan",
            "email": "siti@medan.go.id",
            "role": "officer",
            "office": "12.71",
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/pengguna/{user_id('siti.medan')}"
    shown = site.get(answer.headers["location"])
    assert "Pengguna siti.medan dibuat." in shown.text
    created = account("siti.medan")
    assert (created.role, created.office_code, created.email) == (
        Role.officer,
        "12.71",
        "siti@medan.go.id",
    )
    assert events_of("siti.medan") == [(ADMIN, "dibuat", "peran officer, kantor 12.71")]
    newcomer = browser()
    login(newcomer, "siti.medan", NEW_PASSWORD)
    assert newcomer.get("/kantor/12.71").status_code == 200


def _admin_action(site: TestClient, path: str, data: dict[str, str]) -> str:
    target = user_id("petugas.bekasi")
    token = csrf(site, f"/admin/pengguna/{target}")
    answer = site.post(f"/admin/pengguna/{target}{path}", data={**data, "csrf": token})
    assert answer.status_code == 200, answer.text  # the account page, after the redirect
    assert str(answer.url).endswith(f"/admin/pengguna/{target}")
    return answer.text


def test_admin_resets_a_password(site: TestClient) -> None:
    officer = browser()
    login(officer, "petugas.bekasi")
    login(site, ADMIN)
    page = _admin_action(
        site, "/kata-sandi", {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    )
    assert "Kata sandi petugas.bekasi diatur ulang; semua sesinya berakhir." in page
    assert password_works("petugas.bekasi", NEW_PASSWORD)
    assert not password_works("petugas.bekasi", PASSWORD)
    assert events_of("petugas.bekasi")[0] == (ADMIN, "kata sandi diganti", "")
    assert not signed_in(officer)


def test_admin_changes_role_and_office(site: TestClient) -> None:
    officer = browser()
    login(officer, "petugas.bekasi")
    login(site, ADMIN)
    page = _admin_action(site, "/peran", {"role": "officer", "office": "12.71"})
    assert "petugas.bekasi kini Petugas kantor (officer), kantor 12.71" in page
    moved = account("petugas.bekasi")
    assert (moved.role, moved.office_code) == (Role.officer, "12.71")
    assert events_of("petugas.bekasi")[0] == (
        ADMIN,
        "peran diubah",
        "officer 32.16 → officer 12.71",
    )
    assert not signed_in(officer)
    login(officer, "petugas.bekasi")
    assert officer.get("/kantor/12.71").status_code == 200
    assert officer.get("/kantor/32.16").status_code == 403


def test_admin_deactivates_and_activates(site: TestClient) -> None:
    officer = browser()
    login(officer, "petugas.bekasi")
    login(site, ADMIN)
    page = _admin_action(site, "/nonaktifkan", {})
    assert "Akun petugas.bekasi dinonaktifkan; semua sesinya berakhir." in page
    assert account("petugas.bekasi").is_active is False
    assert not signed_in(officer)
    refused = officer.post(
        "/login",
        data={"username": "petugas.bekasi", "password": PASSWORD, "csrf": csrf(officer, "/login")},
    )
    assert refused.status_code == 401
    page = _admin_action(site, "/aktifkan", {})
    assert "Akun petugas.bekasi diaktifkan lagi." in page
    login(officer, "petugas.bekasi")
    assert [e[:2] for e in events_of("petugas.bekasi")[:2]] == [
        (ADMIN, "diaktifkan"),
        (ADMIN, "dinonaktifkan"),
    ]


def test_admins_see_the_history_in_wib(site: TestClient) -> None:
    login(site, ADMIN)
    _admin_action(site, "/nonaktifkan", {})
    with_time = account("petugas.bekasi")
    assert with_time.id is not None
    with session_scope(write=False) as session:
        event = list_events(session=session, user_id=with_time.id)[0]
    wib = (event.at + timedelta(hours=7)).strftime("%H.%M") + " WIB"
    for path in ("/admin/pengguna", f"/admin/pengguna/{with_time.id}"):
        text = site.get(path).text
        row = next(r for r in text.split("<tr>") if "dinonaktifkan" in r)
        assert wib in row and ADMIN in row and "petugas.bekasi" in row, path
        assert "UTC" not in text and "+00:00" not in text


CREATE = {
    "username": "budi.bekasi",
    "email": "budi@bekasi.go.id",
    "role": "officer",
    "office": "32.16",
    "password": NEW_PASSWORD,
    "password_repeat": NEW_PASSWORD,
}


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("", {"password": "pendek-12", "password_repeat": "pendek-12"}, "minimal 10 karakter"),
        (
            "",
            {"password": "Budi.Bekasi", "password_repeat": "Budi.Bekasi"},
            "tidak boleh sama dengan nama pengguna",
        ),
        ("", {"password_repeat": NEW_PASSWORD + "x"}, "Kata sandi dan ulangannya tidak sama"),
        ("", {"office": "99.99"}, "Kantor dengan kode &#39;99.99&#39; tidak ditemukan"),
        ("", {"office": ""}, "Petugas (officer) harus terikat pada satu kantor"),
        ("", {"role": "boss"}, "Peran &#39;boss&#39; tidak dikenal"),
        ("", {"username": "petugas.bekasi"}, "sudah dipakai"),
        ("{target}/kata-sandi", {"password": "pendek", "password_repeat": "pendek"}, "minimal 10"),
        (
            "{target}/kata-sandi",
            {"password": "petugas.bekasi", "password_repeat": "petugas.bekasi"},
            "tidak boleh sama dengan nama pengguna",
        ),
        ("{target}/peran", {"role": "officer", "office": "99.99"}, "tidak ditemukan"),
        ("{target}/peran", {"role": "officer", "office": ""}, "harus terikat pada satu kantor"),
        ("{target}/peran", {"role": "officer", "office": "00"}, "memakai peran planner"),
        ("{target}/aktifkan", {}, "sudah aktif"),
        ("{admin}/nonaktifkan", {}, "tidak dapat menonaktifkan akun Anda sendiri"),
        ("{admin}/peran", {"role": "planner"}, "tidak dapat mengubah peran atau kantor"),
        ("{admin}/kata-sandi", CREATE, "di halaman Ganti kata sandi"),
    ],
)
def test_refused_admin_forms_write_nothing(
    sqlite_site: TestClient, path: str, data: dict[str, str], message: str
) -> None:
    officer = browser()
    login(officer, "petugas.bekasi")
    login(sqlite_site, ADMIN)
    url = "/admin/pengguna" + (
        "/" + path.format(target=user_id("petugas.bekasi"), admin=user_id(ADMIN)) if path else ""
    )
    sent = {**CREATE, **data} if not path else data
    before = accounts_state()
    answer = sqlite_site.post(url, data={**sent, "csrf": csrf(sqlite_site, "/admin/pengguna")})
    assert answer.status_code == 422, answer.text
    assert message in answer.text
    assert 'class="error" role="alert"' in answer.text and 'lang="id"' in answer.text
    for field in ("password", "password_repeat"):  # passwords are never sent back
        if sent.get(field):
            assert f'value="{sent[field]}"' not in answer.text
    if not path and data.get("username") != "petugas.bekasi":  # what was typed stays
        assert 'value="budi@bekasi.go.id"' in answer.text
        assert f'value="{sent["username"]}"' in answer.text
    if path.endswith("peran") and data.get("office"):
        assert f'value="{data["office"]}"' in answer.text
    assert accounts_state() == before
    assert signed_in(officer) and signed_in(sqlite_site)


def test_user_changes_own_password_and_stays_signed_in(site: TestClient) -> None:
    login(site, "petugas.bekasi")
    copied = browser()
    for cookie in site.cookies.jar:
        copied.cookies.set(cookie.name, cookie.value or "")
    other_browser = browser()
    login(other_browser, "petugas.bekasi")
    token = site.post(
        "/api/v1/auth/token", data={"username": "petugas.bekasi", "password": PASSWORD}
    )
    api = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert signed_in(copied)
    form = site.get("/akun/kata-sandi")
    assert "Kata sandi minimal 10 karakter dan tidak boleh sama dengan nama pengguna." in form.text
    answer = site.post(
        "/akun/kata-sandi",
        data={
            "csrf": csrf(site, "/akun/kata-sandi"),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/akun/kata-sandi")
    shown = site.get("/akun/kata-sandi")
    assert "Kata sandi diganti." in shown.text
    assert site.get("/kantor/32.16").status_code == 200  # still signed in here
    assert not signed_in(copied)  # the cookie copied before the change no longer works
    assert not signed_in(other_browser)
    assert site.get("/api/v1/offices/32.16", headers=api).status_code == 401
    assert password_works("petugas.bekasi", NEW_PASSWORD)
    assert not password_works("petugas.bekasi", PASSWORD)
    assert events_of("petugas.bekasi")[0] == (
        "petugas.bekasi",
        "kata sandi diganti",
        "oleh pengguna sendiri",
    )
    # The new session ends like any other: a copy of it stops working after logout.
    again = browser()
    for cookie in site.cookies.jar:
        again.cookies.set(cookie.name, cookie.value or "")
    assert signed_in(again)
    site.post("/logout", data={"csrf": csrf(site, "/akun/kata-sandi")})
    assert not signed_in(again)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        ("salah-sekali-123", NEW_PASSWORD, NEW_PASSWORD, "Kata sandi sekarang salah."),
        (PASSWORD, "pendek", "pendek", "Kata sandi terlalu pendek (6 karakter)."),
        (PASSWORD, "Petugas.Bekasi", "Petugas.Bekasi", "tidak boleh sama dengan nama pengguna"),
        (PASSWORD, NEW_PASSWORD, "sandi-lain-yang-panjang", "ulangannya tidak sama"),
        (PASSWORD, PASSWORD, PASSWORD, "harus berbeda dari kata sandi sekarang"),
    ],
)
def test_refused_own_password_change_writes_nothing(
    sqlite_site: TestClient, current: str, new: str, repeat: str, message: str
) -> None:
    login(sqlite_site, "petugas.bekasi")
    before = accounts_state()
    answer = sqlite_site.post(
        "/akun/kata-sandi",
        data={
            "csrf": csrf(sqlite_site, "/akun/kata-sandi"),
            "current_password": current,
            "password": new,
            "password_repeat": repeat,
        },
    )
    assert answer.status_code == 422
    assert message in answer.text and 'role="alert"' in answer.text
    assert f'value="{new}"' not in answer.text and f'value="{current}"' not in answer.text
    assert accounts_state() == before
    assert signed_in(sqlite_site) and password_works("petugas.bekasi", PASSWORD)


def test_forms_without_csrf_are_refused(site: TestClient) -> None:
    login(site, ADMIN)
    before = accounts_state()
    target = user_id("petugas.bekasi")
    for path, data in {
        "/admin/pengguna": CREATE,
        f"/admin/pengguna/{target}/nonaktifkan": {},
        "/akun/kata-sandi": {"current_password": PASSWORD, "password": NEW_PASSWORD},
    }.items():
        assert site.post(path, data={**data, "password_repeat": NEW_PASSWORD}).status_code == 403
    assert accounts_state() == before


EDGES = [
    "",
    "00",
    "32.16",
    "99.99",
    "x\x00y",
    "a\x1bb",
    "²",
    "x" * 300,
    "admin",
    "planner",
    "officer",
    "petugas.bekasi",
    PASSWORD,
    NEW_PASSWORD,
    "budi@bekasi.go.id",
]
typed = st.one_of(st.sampled_from(EDGES), st.text(max_size=20))
ids = st.one_of(
    st.integers(min_value=-2, max_value=6).map(str),
    st.sampled_from([str(2**31), str(2**63), "²", "abc"]),
)
FIELDS = ["username", "email", "role", "office", "password", "password_repeat"]
FORMS = [
    ("/admin/pengguna", st.just(None), FIELDS),
    ("/admin/pengguna/{}/kata-sandi", ids, ["password", "password_repeat"]),
    ("/admin/pengguna/{}/peran", ids, ["role", "office"]),
    ("/admin/pengguna/{}/nonaktifkan", ids, []),
    ("/admin/pengguna/{}/aktifkan", ids, []),
    ("/akun/kata-sandi", st.just(None), ["current_password", "password", "password_repeat"]),
]


@st.composite
def posts(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    template, segment, names = draw(st.sampled_from(FORMS))
    found = draw(segment)
    path = template.format(quote(found, safe="")) if found is not None else template
    form = st.fixed_dictionaries({}, optional={name: typed for name in names})
    return path, draw(form)


def test_user_forms_never_fail_or_write_on_refusal(site: TestClient) -> None:
    """Fuzzed admin and own-password forms: no 5xx, and a refusal writes nothing."""
    login(site, ADMIN)
    token = csrf(site, "/admin/pengguna")

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(posts())
    def send(request: tuple[str, dict[str, str]]) -> None:
        path, data = request
        before = accounts_state()
        answer = site.post(path, data={**data, "csrf": token}, follow_redirects=False)
        assert answer.status_code < 500, (path, data, answer.text[:500])
        assert "problem+json" not in answer.headers.get("content-type", "")
        if answer.status_code >= 400:
            assert accounts_state() == before, (path, data, answer.status_code)
        assert signed_in(site), (path, data)  # the admin's own session never ends here

    send()
