"""The planner's risk map (peta risiko) on the national overview: Indonesia drawn as SVG
on the server, one shape per kab/kota coloured by the overview's risk level, or one per
province coloured by the share of its kab/kota at risk.

Geometry: the bundled boundaries (``blangko/data/geo``, built by
``scripts/build_map_geometry.py``) projected once per process (equirectangular: the
country lies within 11° of the equator, where a degree of longitude and one of latitude
differ by under 2 %) onto a grid ``WIDTH`` units wide, and written as SVG path data with
relative integer steps (~110 KB for the 514 kab/kota). Only colours and titles change per
request (``kabkota_map``, ``province_map``: plain data in, plain data out).

Province colour: the share of its kab/kota at risk (Tinggi or Sedang) among those with a
forecast, in four bands, rather than its worst office: with 514 offices nearly every
province holds one office at risk, and a map of worst levels would be one colour. The
title of each province gives the counts behind its band."""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from blangko import fmt
from blangko.overview import OverviewRow
from blangko.risk import RiskLevel

WEST, EAST, NORTH, SOUTH = (
    95.0,
    141.1,
    6.1,
    -11.1,
)  # degrees; the data spans 95.01–141.02, -11.01–6.08
WIDTH = 2000
SCALE = WIDTH / (EAST - WEST)  # units per degree (~43: one unit is ~2.5 km)
HEIGHT = round((NORTH - SOUTH) * SCALE)
HATCH = "url(#peta-arsir)"
"""The darkest class is hatched as well as dark red (the pattern in the template), a cue
that does not rest on telling colours apart."""
HATCH_COLOUR = "#b71c1c"
PROVINCE_VIEW = "provinsi"

Ring = Sequence[Sequence[float]]
Polygon = Sequence[Ring]


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str
    """SVG path data in the map's units."""


@dataclass(frozen=True)
class Area:
    """One shape of the map as a page draws it: a link with a title."""

    code: str
    href: str
    title: str
    key: str
    """The class of its colour (``high``, ``medium``, ``low``, ``none``; for provinces
    ``most``, ``many``, ``some``, ``zero``, ``none``): a CSS class ``peta-<key>``."""
    fill: str
    d: str


@dataclass(frozen=True)
class LegendEntry:
    key: str
    label: str
    fill: str
    count: int


@dataclass(frozen=True)
class TableLink:
    label: str
    href: str


@dataclass(frozen=True)
class RiskMap:
    view: str
    """``kabkota`` or ``provinsi``."""
    label: str
    """What the map shows, for screen readers (the SVG's ``aria-label``)."""
    width: int
    height: int
    areas: list[Area]
    legend: list[LegendEntry]
    hatch_colour: str = HATCH_COLOUR
    table_links: list[TableLink] = field(default_factory=list)
    """Province view: each province's kab/kota in the overview's table (the map's click
    opens the Dinas provinsi instead)."""


# kab/kota: the overview's risk level. Lightness falls as risk rises, so the order
# survives grey-scale printing and colour blindness; the words are in every title.
LEVELS: dict[str, tuple[str, str]] = {
    RiskLevel.high: ("Risiko tinggi", HATCH),
    RiskLevel.medium: ("Risiko sedang", "#f9a825"),
    RiskLevel.low: ("Risiko rendah", "#a5d6a7"),
    "none": ("Belum ada prakiraan", "#e0e0e0"),
}
# provinces: the share of kab/kota at risk (Tinggi or Sedang), lower bound inclusive.
BANDS: list[tuple[str, float, str, str]] = [
    ("most", 0.5, "50 % kab/kota atau lebih berisiko", HATCH),
    ("many", 0.25, "25–49 % kab/kota berisiko", "#fb8c00"),
    ("some", 1e-9, "Kurang dari 25 % kab/kota berisiko", "#ffe082"),
    ("zero", 0.0, "Tidak ada kab/kota berisiko", "#a5d6a7"),
]
NO_FORECAST = ("none", "Belum ada prakiraan", "#e0e0e0")


def project(lon: float, lat: float) -> tuple[float, float]:
    """Degrees → map units (x east, y down from the north edge)."""
    return (lon - WEST) * SCALE, (NORTH - lat) * SCALE


def _number(value: float) -> str:
    text = f"{value + 0.0:g}"  # + 0.0: no "-0"
    return "0" if text == "-0" else text


def path_data(polygons: Iterable[Polygon], digits: int = 0) -> str:
    """SVG path data of lon/lat polygons (GeoJSON rings): each ring as an absolute move
    and relative steps rounded to ``digits`` decimals, closed; rings that shrink to fewer
    than three points at that precision are left out."""
    out = []
    for polygon in polygons:
        for ring in polygon:
            points: list[tuple[float, float]] = []
            for lon, lat in ring:
                x, y = project(lon, lat)
                point = (round(x, digits), round(y, digits))
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) > 1 and points[-1] == points[0]:
                points.pop()
            if len(points) < 3:
                continue
            (x0, y0), text = points[0], []
            for x, y in points[1:]:
                text.append(_number(round(x - x0, digits)))
                text.append(_number(round(y - y0, digits)))
                x0, y0 = x, y
            steps = " ".join(text).replace(" -", "-")
            out.append(f"M{_number(points[0][0])} {_number(points[0][1])}l{steps}z")
    return "".join(out)


def shapes_of(features: Iterable[Mapping[str, Any]]) -> dict[str, Shape]:
    """Code → shape of GeoJSON (Multi)Polygon features; a kota too small for the grid is
    drawn at a tenth of a unit instead of vanishing."""
    shapes = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        d = path_data(polygons) or path_data(polygons, digits=1)
        props = feature["properties"]
        shapes[props["code"]] = Shape(code=props["code"], name=props["name"], d=d)
    return shapes


@cache
def layer(name: str) -> dict[str, Shape]:
    """The shapes of ``kabkota`` or ``provinces``, read and projected once per process."""
    source = resources.files("blangko") / "data" / "geo" / f"{name}.map.geojson"
    return shapes_of(json.loads(source.read_text(encoding="utf-8"))["features"])


def office_title(row: OverviewRow) -> str:
    """``Kota Medan (12.71): risiko tinggi; cakupan 6 hari; habis 8 Des 2026``."""
    head = f"{row.name} ({row.code})"
    if row.risk is None:
        return f"{head}: belum ada prakiraan"
    cover = (
        "cakupan tidak diketahui"
        if row.days_of_cover is None
        else f"cakupan {fmt.number(row.days_of_cover)} hari"
    )
    out = f"habis {fmt.day(row.stockout_date)}" if row.stockout_date else "tidak diperkirakan habis"
    return f"{head}: {LEVELS[row.risk][0].lower()}; {cover}; {out}"


def kabkota_map(rows: Iterable[OverviewRow], shapes: Mapping[str, Shape]) -> RiskMap:
    """Each kab/kota of ``shapes`` coloured by its overview row's risk level; a click opens
    the office."""
    by_code = {r.code: r for r in rows}
    areas, counts = [], dict.fromkeys(LEVELS, 0)
    for code, shape in shapes.items():
        row = by_code.get(code)
        key = str(row.risk) if row is not None and row.risk is not None else "none"
        counts[key] += 1
        areas.append(
            Area(
                code=code,
                href=f"/kantor/{code}",
                title=office_title(row) if row else f"{shape.name} ({code})",
                key=key,
                fill=LEVELS[key][1],
                d=shape.d,
            )
        )
    return RiskMap(
        view="kabkota",
        label=f"Peta risiko stok habis {len(areas)} kab/kota",
        width=WIDTH,
        height=HEIGHT,
        areas=areas,
        legend=[
            LegendEntry(key=str(key), label=label, fill=fill, count=counts[key])
            for key, (label, fill) in LEVELS.items()
        ],
    )


def province_band(at_risk: int, with_forecast: int) -> tuple[str, str, str]:
    """(key, label, fill) of a province with ``at_risk`` of its ``with_forecast`` kab/kota
    at risk."""
    if with_forecast == 0:
        return NO_FORECAST
    share = at_risk / with_forecast
    return next((key, label, fill) for key, low, label, fill in BANDS if share >= low)


def province_title(name: str, levels: Sequence[RiskLevel | None]) -> str:
    """``Papua: 3 dari 9 kab/kota berisiko (33 %): 1 tinggi, 2 sedang``, and how many
    have no forecast yet."""
    high = sum(1 for r in levels if r is RiskLevel.high)
    medium = sum(1 for r in levels if r is RiskLevel.medium)
    known = sum(1 for r in levels if r is not None)
    text = f"{name}: "
    if known:
        share = fmt.number(100 * (high + medium) / known)
        text += (
            f"{high + medium} dari {known} kab/kota berisiko ({share} %): "
            f"{high} tinggi, {medium} sedang"
        )
    else:
        text += "belum ada prakiraan"
    if 0 < known < len(levels):
        text += f"; {len(levels) - known} tanpa prakiraan"
    return text


def province_map(rows: Iterable[OverviewRow], shapes: Mapping[str, Shape]) -> RiskMap:
    """Each province of ``shapes`` coloured by the share of its kab/kota at risk; a click
    opens its Dinas provinsi (office code = province code), and ``table_links`` list its
    kab/kota in the overview's table."""
    levels: dict[str, list[RiskLevel | None]] = {}
    for row in rows:
        if row.province_code:
            levels.setdefault(row.province_code, []).append(row.risk)
    areas, counts = [], {key: 0 for key, *_ in [*BANDS, NO_FORECAST]}
    table_links = []
    for code, shape in shapes.items():
        found = levels.get(code, [])
        at_risk = sum(1 for r in found if r in (RiskLevel.high, RiskLevel.medium))
        key, _, fill = province_band(at_risk, sum(1 for r in found if r is not None))
        counts[key] += 1
        areas.append(
            Area(
                code=code,
                href=f"/kantor/{code}",
                title=province_title(f"Provinsi {shape.name}", found),
                key=key,
                fill=fill,
                d=shape.d,
            )
        )
        table_links.append(
            TableLink(label=shape.name, href="/nasional?" + urlencode({"provinsi": code}))
        )
    return RiskMap(
        view=PROVINCE_VIEW,
        label=f"Peta risiko stok habis {len(areas)} provinsi: bagian kab/kota berisiko",
        width=WIDTH,
        height=HEIGHT,
        areas=areas,
        legend=[
            LegendEntry(key=key, label=label, fill=fill, count=counts[key])
            for key, _, label, fill in BANDS
        ]
        + [
            LegendEntry(key="none", label=NO_FORECAST[1], fill=NO_FORECAST[2], count=counts["none"])
        ],
        table_links=table_links,
    )


def risk_map(rows: Iterable[OverviewRow], view: str) -> RiskMap:
    """The overview's map for the ``peta`` query value: ``provinsi`` or kab/kota."""
    if view == PROVINCE_VIEW:
        return province_map(rows, layer("provinces"))
    return kabkota_map(rows, layer("kabkota"))


def view_links(query: Mapping[str, str]) -> dict[str, str]:
    """The addresses of the two views, keeping the table's filters and order."""
    kept = {k: v for k, v in query.items() if k != "peta"}
    return {
        "kabkota": "/nasional" + (f"?{urlencode(kept)}" if kept else ""),
        PROVINCE_VIEW: "/nasional?" + urlencode({**kept, "peta": PROVINCE_VIEW}),
    }
