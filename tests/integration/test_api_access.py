"""The access matrix of SPEC §4 over HTTP: each role × each endpoint × own office / other
office. An officer reads and writes only its own office, a provincial officer also reads
its kab/kota, planners and admins act everywhere; procurement, decisions on requests and
the national overview are for planners and admins only. A refusal writes nothing.

One SQLite database serves the whole module (the cases make their own shipments, dates
and counts, so they do not depend on each other)."""

import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from blangko.db import get_engine, session_scope
from blangko.models import Role
from blangko.settings import get_settings
from blangko.shipments import dispatch, request_allocation
from blangko.stock import record_stock_count
from tests.integration.api_support import (
    SETUP,
    TestClient,
    add_user,
    assert_problem,
    bearer,
    client,
    stock_office,
)
from tests.integration.ledger_support import days_ago, read_state

ROLES = {
    "admin": (Role.admin, None),
    "planner": (Role.planner, None),
    "officer-32.16": (Role.officer, "32.16"),
    "province-32": (Role.officer, "32"),
    "officer-12.71": (Role.officer, "12.71"),
}
TARGETS = ["32.16", "32", "12.71"]
EVERY = set(TARGETS)
# What each role may read and write, written out as the specification says it.
MAY_READ = {
    "admin": EVERY,
    "planner": EVERY,
    "officer-32.16": {"32.16"},
    "province-32": {"32", "32.16"},
    "officer-12.71": {"12.71"},
}
MAY_WRITE = {
    "admin": EVERY,
    "planner": EVERY,
    "officer-32.16": {"32.16"},
    "province-32": {"32"},
    "officer-12.71": {"12.71"},
}
CENTRAL = {"admin", "planner"}


@dataclass
class World:
    engine: Engine
    http: TestClient
    headers: dict[str, dict[str, str]]
    days: Iterator[int]

    def day(self, office: str) -> str:
        """A past date no other case uses."""
        return days_ago(self.engine, office, next(self.days)).isoformat()

    def shipment(self, from_office: str, to_office: str) -> int:
        with session_scope(self.engine) as session:
            made = dispatch(
                session=session,
                from_office=from_office,
                to_office=to_office,
                quantity=10,
                expected_on=days_ago(self.engine, "00", -5),
                reference="matriks",
                actor=SETUP,
            )
            assert made.id is not None
            return made.id

    def count_movement(self, office: str) -> int:
        with session_scope(self.engine) as session:
            count = record_stock_count(
                session=session,
                office_code=office,
                counted_quantity=999_000 - next(self.days),
                counted_on=days_ago(self.engine, office, 0),
                actor=SETUP,
            )
            assert count.movement_id is not None
            return count.movement_id

    def request(self, office: str) -> int:
        with session_scope(self.engine) as session:
            made = request_allocation(
                session=session, office_code=office, quantity=10, reference="470/x", actor=SETUP
            )
            assert made.id is not None
            return made.id


@pytest.fixture(scope="module")
def world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("access") / "blangko.db"
    shutil.copyfile(sqlite_template, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BLANGKO_DATABASE_URL", f"sqlite:///{path}")
        get_settings.cache_clear()
        get_engine.cache_clear()
        engine = get_engine()
        for office in ["00", *TARGETS, "32.01"]:
            stock_office(engine, office, 1_000_000)
        headers = {
            name: bearer(add_user(engine, name.replace(".", "-"), role, office))
            for name, (role, office) in ROLES.items()
        }
        yield World(engine, client(), headers, itertools.count(1))
        engine.dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()


# A request is made in two steps: ``prepare`` makes what it needs (a shipment, a date, a
# movement) before the database state is taken, ``send`` only sends it.
Send = Callable[[World, str, dict[str, str], object], httpx.Response]
Prepare = Callable[[World, str], object]


def nothing(world: World, target: str) -> object:
    return None


def _csv(world: World, url: str, text: str, headers: dict[str, str]) -> httpx.Response:
    return world.http.post(url, files={"file": ("a.csv", text.encode())}, headers=headers)


def _ahead(world: World, office: str) -> str:
    return days_ago(world.engine, office, -3).isoformat()


def _today(world: World, office: str) -> str:
    """Counts go on today: a count dated before another count is refused (issue 11, item 9)."""
    return days_ago(world.engine, office, 0).isoformat()


# (name, kind, prepare, send) — kind "read"/"write" is checked against the target office.
OFFICE_ENDPOINTS: list[tuple[str, str, Prepare, Send]] = [
    (
        "GET office",
        "read",
        nothing,
        lambda w, t, h, x: w.http.get(f"/api/v1/offices/{t}", headers=h),
    ),
    (
        "GET stock",
        "read",
        nothing,
        lambda w, t, h, x: w.http.get(f"/api/v1/offices/{t}/stock", headers=h),
    ),
    (
        "GET ledger",
        "read",
        nothing,
        lambda w, t, h, x: w.http.get(f"/api/v1/offices/{t}/ledger", headers=h),
    ),
    (
        "GET daily reports",
        "read",
        nothing,
        lambda w, t, h, x: w.http.get(f"/api/v1/offices/{t}/daily-reports", headers=h),
    ),
    (
        "GET allocation requests",
        "read",
        nothing,
        lambda w, t, h, x: w.http.get(
            "/api/v1/allocation-requests", params={"office": t}, headers=h
        ),
    ),
    (
        "GET shipments",
        "read",
        nothing,
        lambda w, t, h, x: w.http.get("/api/v1/shipments", params={"office": t}, headers=h),
    ),
    (
        "PUT daily report",
        "write",
        World.day,
        lambda w, t, h, day: w.http.put(
            f"/api/v1/offices/{t}/daily-reports/{day}", json={"printed": 1}, headers=h
        ),
    ),
    (
        "POST stock count",
        "write",
        _today,
        lambda w, t, h, day: w.http.post(
            f"/api/v1/offices/{t}/stock-counts",
            json={"counted_quantity": 999_500, "counted_on": day},
            headers=h,
        ),
    ),
    (
        "POST allocation request",
        "write",
        nothing,
        lambda w, t, h, x: w.http.post(
            "/api/v1/allocation-requests",
            json={"office": t, "quantity": 5, "reference": "470/1"},
            headers=h,
        ),
    ),
    (
        "POST shipment",
        "write",
        _ahead,
        lambda w, t, h, expected: w.http.post(
            "/api/v1/shipments",
            json={"from_office": t, "to_office": "32.01", "quantity": 1, "expected_on": expected},
            headers=h,
        ),
    ),
    (
        "POST receive",
        "write",
        lambda w, t: w.shipment("00", t),
        lambda w, t, h, shipment: w.http.post(
            f"/api/v1/shipments/{shipment}/receive",
            json={"received_quantity": 10, "received_on": days_ago(w.engine, t, 0).isoformat()},
            headers=h,
        ),
    ),
    (
        "POST cancel",
        "write",
        lambda w, t: w.shipment(t, "32.01"),
        lambda w, t, h, shipment: w.http.post(f"/api/v1/shipments/{shipment}/cancel", headers=h),
    ),
    (
        "POST reverse",
        "write",
        World.count_movement,
        lambda w, t, h, movement: w.http.post(f"/api/v1/movements/{movement}/reverse", headers=h),
    ),
]
IMPORT_ENDPOINTS: list[tuple[str, Prepare, Send]] = [
    (
        "import daily reports",
        World.day,
        lambda w, t, h, day: _csv(
            w, "/api/v1/imports/daily-reports", f"office,date,printed\n{t},{day},1\n", h
        ),
    ),
    (
        "import shipments",
        _ahead,
        lambda w, t, h, expected: _csv(
            w,
            "/api/v1/imports/shipments",
            f"from_office,to_office,quantity,expected_on\n{t},32.01,1,{expected}\n",
            h,
        ),
    ),
]
CENTRAL_ENDPOINTS: list[tuple[str, Prepare, Send]] = [
    ("GET national overview", nothing, lambda w, t, h, x: w.http.get("/api/v1/stock", headers=h)),
    (
        "POST procurement",
        World.day,
        lambda w, t, h, day: w.http.post(
            "/api/v1/procurements",
            json={"quantity": 10, "received_on": day, "reference": "SPK-M"},
            headers=h,
        ),
    ),
    (
        "POST approve",
        lambda w, t: w.request("32.16"),
        lambda w, t, h, request: w.http.post(
            f"/api/v1/allocation-requests/{request}/approve",
            json={"quantity": 10, "expected_on": _ahead(w, "00")},
            headers=h,
        ),
    ),
    (
        "POST reject",
        lambda w, t: w.request("32.16"),
        lambda w, t, h, request: w.http.post(
            f"/api/v1/allocation-requests/{request}/reject",
            json={"reason": "stok kosong"},
            headers=h,
        ),
    ),
]


# A shipment or movement is named by its id: one of offices the role may not read at all
# is "not found", exactly like a missing id (issue 11, item 9). The shipments the cases
# make have a second office besides the target.
OTHER_SIDE = {"POST receive": "00", "POST cancel": "32.01"}


def _hidden(role: str, endpoint: str, target: str) -> bool:
    if endpoint not in (*OTHER_SIDE, "POST reverse") or role in CENTRAL:
        return False
    readable = MAY_READ[role] | ({"32.01"} if role == "province-32" else set())
    return target not in readable and OTHER_SIDE.get(endpoint) not in readable


def _check(
    world: World,
    prepare: Prepare,
    send: Send,
    target: str,
    role: str,
    allowed: bool,
    hidden: bool = False,
) -> None:
    prepared = prepare(world, target)
    before = read_state(world.engine)
    response = send(world, target, world.headers[role], prepared)
    if allowed:
        assert 200 <= response.status_code < 300, response.text
    else:
        if hidden:
            body = assert_problem(response, 404, "not_found")
            assert target not in body["detail"]
        else:
            assert_problem(response, 403, "forbidden")
        assert read_state(world.engine) == before


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    ("endpoint", "kind", "prepare", "send"), OFFICE_ENDPOINTS, ids=[e[0] for e in OFFICE_ENDPOINTS]
)
@pytest.mark.parametrize("role", ROLES)
def test_office_endpoints(
    world: World, role: str, endpoint: str, kind: str, prepare: Prepare, send: Send, target: str
) -> None:
    allowed = target in (MAY_READ if kind == "read" else MAY_WRITE)[role]
    _check(world, prepare, send, target, role, allowed, _hidden(role, endpoint, target))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    ("endpoint", "prepare", "send"), IMPORT_ENDPOINTS, ids=[e[0] for e in IMPORT_ENDPOINTS]
)
@pytest.mark.parametrize("role", ROLES)
def test_import_rows_of_other_offices_are_refused(
    world: World, role: str, endpoint: str, prepare: Prepare, send: Send, target: str
) -> None:
    prepared = prepare(world, target)
    before = read_state(world.engine)
    response = send(world, target, world.headers[role], prepared)
    if target in MAY_WRITE[role]:
        assert response.status_code == 201, response.text
        return
    body = assert_problem(response, 422, "validation_error")
    assert [(e["row"], e["message"][:18]) for e in body["errors"]] == [(2, "Anda tidak berhak ")]
    assert read_state(world.engine) == before


@pytest.mark.parametrize(
    ("endpoint", "prepare", "send"), CENTRAL_ENDPOINTS, ids=[e[0] for e in CENTRAL_ENDPOINTS]
)
@pytest.mark.parametrize("role", ROLES)
def test_central_endpoints(
    world: World, role: str, endpoint: str, prepare: Prepare, send: Send
) -> None:
    _check(world, prepare, send, "00", role, role in CENTRAL)


@pytest.mark.parametrize("role", ROLES)
def test_lists_without_a_filter_show_only_readable_offices(world: World, role: str) -> None:
    headers = world.headers[role]
    for target in TARGETS:
        world.shipment("00", target)
        world.request(target)
    listed = world.http.get("/api/v1/offices", headers=headers).json()["items"]
    offices = {o["code"] for o in listed}
    shipments = world.http.get("/api/v1/shipments", params={"limit": 1000}, headers=headers)
    touched = {s["to_office"] for s in shipments.json()["items"]} | {
        s["from_office"] for s in shipments.json()["items"]
    }
    requests = world.http.get("/api/v1/allocation-requests", headers=headers).json()["items"]
    if role in CENTRAL:
        assert len(offices) == 553
        assert touched >= EVERY
        assert {r["office"] for r in requests} >= EVERY
        return
    own = MAY_READ[role]
    assert offices & EVERY == own
    assert all(
        s["to_office"] in offices or s["from_office"] in offices for s in shipments.json()["items"]
    )
    assert own & touched
    assert {r["office"] for r in requests} & EVERY == own


def test_unknown_office_does_not_reveal_itself_to_officers(world: World) -> None:
    officer = world.headers["officer-32.16"]
    assert_problem(world.http.get("/api/v1/offices/99.99", headers=officer), 403, "forbidden")
    planner = world.headers["planner"]
    assert_problem(world.http.get("/api/v1/offices/99.99", headers=planner), 404, "not_found")
