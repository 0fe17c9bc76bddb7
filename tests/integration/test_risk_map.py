"""The risk map on the planner's national overview (issue 13 item 6), through the real
app: one link per kab/kota with its name, risk level, days of cover and stock-out date
as a title and the colour class of the overview's risk level, and the province view
coloured by the share of kab/kota at risk."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from blangko import fmt
from blangko.db import session_scope
from blangko.models import ForecastRun, ForecastRunStatus, OfficeKind, Role
from blangko.offices import get_office, local_today, region_list
from blangko.users import create_user
from tests.integration.forecast_data import flat_result
from tests.integration.test_web_pages import PASSWORD, login

# office → days until its stock runs out (no risk probability stored: the rule falls
# back to the mean path: within the 21-day lead time high, within 21 + 14 days medium)
FORECASTS = {"91.71": 5, "91.03": 30, "12.71": 30, "32.16": 60}


@dataclass
class MapArea:
    href: str
    title: str = ""
    classes: list[str] = field(default_factory=list)


class MapParser(HTMLParser):
    """The links inside ``<svg id="peta">``: address, title text and the path's class."""

    def __init__(self) -> None:
        super().__init__()
        self.in_map = False
        self.in_title = False
        self.areas: list[MapArea] = []
        self.legend: list[str] = []
        self.in_legend = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "svg" and attr.get("id") == "peta":
            self.in_map = True
        elif tag == "ul" and attr.get("id") == "peta-legenda":
            self.in_legend = True
        elif self.in_map and tag == "a":
            self.areas.append(MapArea(href=attr.get("href") or ""))
        elif self.in_map and tag == "title":
            self.in_title = True
        elif self.in_map and tag == "path" and self.areas:
            self.areas[-1].classes = (attr.get("class") or "").split()
        elif self.in_legend and tag == "li":
            self.legend.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self.in_map:
            self.in_map = False
        elif tag == "ul":
            self.in_legend = False
        elif tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title and self.areas:
            self.areas[-1].title += data
        elif self.in_legend and self.legend:
            self.legend[-1] = (self.legend[-1] + data).strip()


def areas_of(html: str) -> tuple[dict[str, MapArea], list[str]]:
    parser = MapParser()
    parser.feed(html)
    return {a.href: a for a in parser.areas}, parser.legend


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    with session_scope() as session:
        create_user(session=session, username="perencana", password=PASSWORD, role=Role.planner)
        run = ForecastRun(status=ForecastRunStatus.finished)
        session.add(run)
        session.flush()
        for code, days in FORECASTS.items():
            today = local_today(get_office(session=session, code=code))
            session.add(flat_result(run.id or 0, code, today, days))
    with TestClient(create_app()) as test_client:
        login(test_client, "perencana")
        yield test_client


def stockout_on(code: str, days: int) -> str:
    with session_scope(write=False) as session:
        return fmt.day(local_today(get_office(session=session, code=code)) + timedelta(days=days))


def test_every_kabkota_is_one_link_titled_and_coloured_by_its_risk(client: TestClient) -> None:
    page = client.get("/nasional")
    assert page.status_code == 200
    areas, legend = areas_of(page.text)
    kabkota = [o for o in region_list() if o.kind in (OfficeKind.kabupaten, OfficeKind.kota)]
    assert sorted(areas) == sorted(f"/kantor/{o.code}" for o in kabkota)  # 514, each once
    assert len(areas) == 514

    jayapura = areas["/kantor/91.71"]
    assert jayapura.title == (
        f"Kota Jayapura (91.71): risiko tinggi; cakupan 5 hari; habis {stockout_on('91.71', 5)}"
    )
    assert jayapura.classes == ["peta-high"]
    medan = areas["/kantor/12.71"]
    assert medan.title == (
        f"Kota Medan (12.71): risiko sedang; cakupan 30 hari; habis {stockout_on('12.71', 30)}"
    )
    assert medan.classes == ["peta-medium"]
    assert areas["/kantor/32.16"].classes == ["peta-low"]
    assert areas["/kantor/32.16"].title.startswith("Kabupaten Bekasi (32.16): risiko rendah")
    aceh = areas["/kantor/11.01"]
    assert aceh.title == "Kabupaten Aceh Selatan (11.01): belum ada prakiraan"
    assert aceh.classes == ["peta-none"]
    assert legend == [
        "Risiko tinggi: 1",
        "Risiko sedang: 2",
        "Risiko rendah: 1",
        "Belum ada prakiraan: 510",
    ]
    assert '<svg id="peta"' in page.text and 'role="group" aria-label="Peta risiko' in page.text


def test_province_view_colours_by_the_share_of_kabkota_at_risk(client: TestClient) -> None:
    page = client.get("/nasional?peta=provinsi&urut=kode")
    assert page.status_code == 200
    areas, legend = areas_of(page.text)
    assert len(areas) == 38
    papua = areas["/kantor/91"]  # a click opens the Dinas provinsi (issue 13 item 6)
    assert papua.title == (
        "Provinsi Papua: 2 dari 2 kab/kota berisiko (100 %): 1 tinggi, 1 sedang; 7 tanpa prakiraan"
    )
    assert papua.classes == ["peta-most"]
    assert areas["/kantor/32"].classes == ["peta-zero"]
    assert areas["/kantor/32"].title.startswith(
        "Provinsi Jawa Barat: 0 dari 1 kab/kota berisiko (0 %)"
    )
    assert areas["/kantor/12"].classes == ["peta-most"]
    assert areas["/kantor/11"].title == "Provinsi Aceh: belum ada prakiraan"
    assert areas["/kantor/11"].classes == ["peta-none"]
    # the province's kab/kota in the table stay one click away, under the map
    assert '<a href="/nasional?provinsi=91">Papua</a>' in page.text
    office = client.get(papua.href)
    assert office.status_code == 200 and "Provinsi Papua" in office.text
    assert "50 % kab/kota atau lebih berisiko: 2" in legend
    # the view links keep the table's order; the current view is marked
    assert 'href="/nasional?urut=kode">Per kab/kota' in page.text
    assert 'aria-current="page">Per provinsi' in page.text
