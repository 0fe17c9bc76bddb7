"""The risk map's pure parts (web/riskmap.py): the projection and SVG path data, the
titles a screen reader reads, the province bands, and the bundled boundaries matching
the offices' Kemendagri codes one for one."""

from datetime import date

import pytest

from blangko.models import OfficeKind
from blangko.offices import region_list
from blangko.overview import OverviewRow
from blangko.risk import RiskLevel
from web import riskmap


def row(
    code: str, risk: RiskLevel | None, cover: float | None = None, out: date | None = None
) -> OverviewRow:
    return OverviewRow(
        code=code,
        name=f"Kota Uji {code}",
        kind=OfficeKind.kota,
        province_code=code[:2],
        on_hand=0,
        in_transit_in=0,
        in_transit_out=0,
        backlog=0,
        days_of_cover=cover,
        stockout_date=out,
        risk=risk,
    )


def test_projection_puts_the_north_west_corner_at_the_origin() -> None:
    assert riskmap.project(riskmap.WEST, riskmap.NORTH) == (0, 0)
    x, y = riskmap.project(riskmap.EAST, riskmap.SOUTH)
    assert (round(x), round(y)) == (riskmap.WIDTH, riskmap.HEIGHT)
    # a degree is the same length both ways (equirectangular at the equator)
    assert riskmap.project(100, 0)[0] - riskmap.project(99, 0)[0] == pytest.approx(
        riskmap.project(99, 0)[1] - riskmap.project(99, 1)[1]
    )


def test_path_data_is_relative_integer_steps_closed_per_ring() -> None:
    one = 1 / riskmap.SCALE  # one map unit in degrees
    west, north = riskmap.WEST + 10 * one, riskmap.NORTH - 20 * one
    square = [
        [west, north],
        [west + 5 * one, north],
        [west + 5 * one, north - 5 * one],
        [west, north - 5 * one],
        [west, north],
    ]
    assert riskmap.path_data([[square]]) == "M10 20l5 0 0 5-5 0z"
    # a hole is a second ring of the same path; a ring smaller than a unit is left out
    speck = [[west + x * one / 10, north] for x in range(4)]
    assert riskmap.path_data([[square, speck]]) == "M10 20l5 0 0 5-5 0z"
    assert riskmap.path_data([[speck]]) == ""
    assert riskmap.path_data([[speck]], digits=1).startswith("M10 20l0.1 0")


def test_a_kota_too_small_for_the_grid_is_still_drawn() -> None:
    one = 1 / riskmap.SCALE
    tiny = [[riskmap.WEST + 3 * one + x * one / 4, riskmap.NORTH - y * one / 4] for x, y in
            [(0, 0), (1, 0), (1, 1), (0, 0)]]  # fmt: skip
    feature = {
        "properties": {"code": "99.71", "name": "Kota Kecil"},
        "geometry": {"type": "Polygon", "coordinates": [tiny]},
    }
    assert riskmap.shapes_of([feature])["99.71"].d.startswith("M3 0l0.2 0")


def test_titles_name_the_office_its_level_cover_and_stockout() -> None:
    assert riskmap.office_title(row("12.71", RiskLevel.high, 6.0, date(2026, 12, 8))) == (
        "Kota Uji 12.71 (12.71): risiko tinggi; cakupan 6 hari; habis 8 Des 2026"
    )
    assert riskmap.office_title(row("12.71", RiskLevel.low, 1234.6, None)) == (
        "Kota Uji 12.71 (12.71): risiko rendah; cakupan 1.235 hari; tidak diperkirakan habis"
    )
    assert riskmap.office_title(row("12.71", RiskLevel.low)) == (
        "Kota Uji 12.71 (12.71): risiko rendah; cakupan tidak diketahui; tidak diperkirakan habis"
    )
    assert riskmap.office_title(row("12.71", None)) == "Kota Uji 12.71 (12.71): belum ada prakiraan"


@pytest.mark.parametrize(
    ("at_risk", "known", "band"),
    [(0, 0, "none"), (0, 5, "zero"), (1, 5, "some"), (1, 4, "many"), (2, 5, "many"),
     (1, 2, "most"), (5, 5, "most")],
)  # fmt: skip
def test_province_band_is_the_share_of_kabkota_at_risk(at_risk: int, known: int, band: str) -> None:
    assert riskmap.province_band(at_risk, known)[0] == band


def test_province_title_counts_levels_and_offices_without_forecast() -> None:
    levels = [RiskLevel.high, RiskLevel.medium, RiskLevel.low, None]
    assert riskmap.province_title("Provinsi Uji", levels) == (
        "Provinsi Uji: 2 dari 3 kab/kota berisiko (67 %): 1 tinggi, 1 sedang; 1 tanpa prakiraan"
    )
    assert riskmap.province_title("Provinsi Uji", [None]) == "Provinsi Uji: belum ada prakiraan"


def test_province_map_opens_the_dinas_provinsi_and_lists_its_kabkota_in_the_table() -> None:
    shapes = {"91": riskmap.Shape(code="91", name="Papua", d="M0 0l1 0 0 1z")}
    rows = [row("91.71", RiskLevel.high), row("91.03", RiskLevel.low), row("12.71", None)]
    drawn = riskmap.province_map(rows, shapes)
    assert [(a.href, a.key, a.fill) for a in drawn.areas] == [("/kantor/91", "most", riskmap.HATCH)]
    assert drawn.table_links == [riskmap.TableLink(label="Papua", href="/nasional?provinsi=91")]
    assert [(e.key, e.count) for e in drawn.legend] == [
        ("most", 1), ("many", 0), ("some", 0), ("zero", 0), ("none", 0)
    ]  # fmt: skip


def test_view_links_keep_the_tables_filters() -> None:
    links = riskmap.view_links({"provinsi": "32", "urut": "kode", "peta": "provinsi"})
    assert links == {
        "kabkota": "/nasional?provinsi=32&urut=kode",
        "provinsi": "/nasional?provinsi=32&urut=kode&peta=provinsi",
    }
    assert riskmap.view_links({})["kabkota"] == "/nasional"


def test_bundled_boundaries_cover_every_office_once_and_stay_compact() -> None:
    offices = region_list()
    kabkota = riskmap.layer("kabkota")
    provinces = riskmap.layer("provinces")
    assert sorted(kabkota) == sorted(
        o.code for o in offices if o.kind in (OfficeKind.kabupaten, OfficeKind.kota)
    )
    assert sorted(provinces) == sorted(o.code for o in offices if o.kind is OfficeKind.province)
    names = {o.code: o.name for o in offices}
    assert all(shape.name == names[code] for code, shape in kabkota.items())
    assert all(shape.d.startswith("M") for shape in [*kabkota.values(), *provinces.values()])
    assert sum(len(shape.d) for shape in kabkota.values()) < 150_000  # bytes of path data
