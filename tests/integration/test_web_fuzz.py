"""Every form and query parameter of the pages, fuzzed (issue 11, item 5): signed in as an
officer and as a planner, no input gives a 5xx, and a refused form writes nothing."""

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blangko import shipments, tranches
from blangko.db import session_scope
from blangko.ledger import SYSTEM
from blangko.models import Alert, AlertKind, AlertSeverity
from blangko.offices import get_office, local_today
from tests.integration.ledger_support import state
from tests.integration.test_web_pages import client, csrf, login

__all__ = ["client"]  # the fixture of the page tests: users, 32.16 holds 1.000 blanks

FIGURES = [
    "print_requests",
    "printed",
    "spoiled_gagal_cetak",
    "spoiled_gagal_encode",
    "spoiled_rusak_fisik",
    "spoiled_lainnya",
    "backlog",
    "suket_issued",
    "ikd_activations",
]
EDGES = [
    "",
    "0",
    "7",
    "1.250",
    "²",
    "³",
    "١٢",
    "-1",
    "1e3",
    "12.5",
    "999999999999",
    str(2**63),
    "0001-01-15",
    "9999-12-31",
    "2011-01-01",
    "2026-02-30",
    "20261120",
    "\x00",
    "a\x1bb",
    "x" * 600,
    "00",
    "32.16",
    "kurang",
    "tolak",
    "setujui",
    "open",
    "stockout_risk",
    "risiko",
    "terima",
    "pesan",
    "batal",
    "ordered",
]
values = st.one_of(st.sampled_from(EDGES), st.text(max_size=30), st.integers().map(str))
ids = st.one_of(
    st.integers(min_value=-5, max_value=12).map(str),
    st.sampled_from([str(2**31), str(2**63), str(2**70), "²", "abc", "1.0"]),
)
codes = st.sampled_from(["32.16", "12.71", "32", "00", "99.99", "x"])


def _form(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional={name: values for name in names})


POSTS: list[tuple[str, st.SearchStrategy[Any], list[str]]] = [
    ("/kantor/{}/laporan", codes, ["report_date", *FIGURES, "note"]),
    ("/kantor/{}/stock-opname", codes, ["counted_quantity", "counted_on", "note"]),
    ("/kantor/{}/permintaan", codes, ["quantity", "reference", "note"]),
    (
        "/kiriman/{}/terima",
        ids,
        ["mode", "received_quantity", "received_on", "shortfall_reason", "idempotency_key"],
    ),
    ("/permintaan/{}", ids, ["decision", "reason", "quantity", "expected_on"]),
    (
        "/kiriman/baru{}",
        st.just(""),
        ["from_office", "to_office", "quantity", "expected_on", "reference", "idempotency_key"],
    ),
    (
        "/pengadaan{}",
        st.just(""),
        ["quantity", "expected_on", "reference", "status", "note", "idempotency_key"],
    ),
    ("/pengadaan/{}", ids, ["action", "received_on", "quantity", "reason", "idempotency_key"]),
    ("/peringatan/{}/tandai", ids, []),
    ("/rencana/{}/setujui", ids, []),
]
GETS: list[tuple[str, st.SearchStrategy[Any], list[str]]] = [
    ("/kantor/{}/kartu-stok", codes, ["dari", "sampai", "halaman"]),
    ("/kantor/{}/kartu-stok.csv", codes, ["dari", "sampai"]),
    ("/kantor/{}/laporan", codes, ["tanggal"]),
    ("/kantor/{}", codes, []),
    ("/kantor/{}/stock-opname", codes, []),
    ("/kantor/{}/permintaan", codes, []),
    ("/nasional{}", st.just(""), ["provinsi", "risiko", "urut", "ikd"]),
    ("/nasional/kuota{}", st.just(""), ["provinsi"]),
    ("/nasional/kuota.xlsx{}", st.just(""), ["provinsi"]),
    ("/nasional/kuota.csv{}", st.just(""), ["provinsi"]),
    ("/peringatan{}", st.just(""), ["status", "jenis"]),
    ("/permintaan{}", st.just(""), []),
    ("/kiriman/baru{}", st.just(""), []),
    ("/rencana{}", st.just(""), []),
    ("/prakiraan{}", st.just(""), []),
    ("/kotak-keluar{}", st.just(""), []),
    ("/pengadaan{}", st.just(""), []),
]


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    method = draw(st.sampled_from(["GET", "POST"]))
    template, segment, names = draw(st.sampled_from(POSTS if method == "POST" else GETS))
    path = template.format(quote(draw(segment), safe=""))
    return method, path, draw(_form(names))


def _snapshot() -> dict[str, Any]:
    with session_scope(write=False) as session:
        return state(session)


def _something_to_act_on() -> None:
    """A shipment in transit to 32.16, a pending request, a procurement tranche still to
    come, alerts of two offices."""
    with session_scope() as session:
        today = local_today(get_office(session=session, code="32.16"))
        shipments.dispatch(
            session=session,
            from_office="00",
            to_office="32.16",
            quantity=100,
            expected_on=today + timedelta(days=2),
            reference="F-1",
            actor=SYSTEM,
        )
        shipments.request_allocation(
            session=session, office_code="32.16", quantity=50, reference="470/F", actor=SYSTEM
        )
        tranches.record_tranche(
            session=session,
            quantity=500,
            expected_on=today + timedelta(days=30),
            reference="SPK-F",
            actor=SYSTEM,
        )
        for office in ("32.16", "12.71"):
            session.add(
                Alert(
                    office_code=office,
                    kind=AlertKind.backlog_high,
                    severity=AlertSeverity.warning,
                    message=f"Backlog {office} tinggi.",
                )
            )


def _fuzz(client: TestClient, username: str) -> None:
    _something_to_act_on()
    login(client, username)
    token = csrf(client, "/peringatan")

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requests())
    def send(request: tuple[str, str, dict[str, str]]) -> None:
        method, path, data = request
        before = _snapshot()
        if method == "GET":
            answer = client.get(path, params=data, follow_redirects=False)
        else:
            answer = client.post(path, data={**data, "csrf": token}, follow_redirects=False)
        assert answer.status_code < 500, (method, path, data, answer.text[:500])
        assert "problem+json" not in answer.headers.get("content-type", "")
        if method == "GET" or answer.status_code >= 400:
            assert _snapshot() == before, (method, path, data, answer.status_code)

    send()


def test_officer_forms_and_queries_never_fail_or_write_on_refusal(client: TestClient) -> None:
    _fuzz(client, "petugas.bekasi")


def test_planner_forms_and_queries_never_fail_or_write_on_refusal(client: TestClient) -> None:
    _fuzz(client, "perencana")
