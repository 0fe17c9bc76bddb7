"""Builds the risk map's boundaries (blangko/data/geo/) from the full-detail GeoJSON in
../shared/data/geo/ (514 kab/kota, 38 provinces, Kemendagri codes; see its SOURCES.md).

    .venv/bin/python scripts/build_map_geometry.py [--source DIR] [--tolerance 0.02]

The full files (2.3 MB) hold far more detail than a map a screen wide can draw: a
kab/kota map 2,000 units wide has about 43 units per degree, so one unit is ~2.5 km.
This script simplifies once, as a coverage (shapely ``coverage_simplify``: neighbours keep
one shared border, so no gaps or slivers open between them), drops islets and holes
smaller than ``--min-area`` (except each feature's largest part, so no kab/kota
disappears), rounds to 0.001° and writes compact GeoJSON (WGS84 lon/lat, same
properties) with the upstream SOURCES.md (plus a note on this step) and the MIT licence
beside it. Run it again only when the upstream boundaries change; the page projects the
result to SVG at first use (web/riskmap.py). Needs shapely (a dev dependency)."""

import argparse
import csv
import json
import shutil
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "geo"
TARGET = ROOT / "blangko" / "data" / "geo"
LICENSE = "LICENSE-wilayah_boundaries.txt"
LAYERS = {"kabkota": "kabkota.geojson", "provinces": "provinces.geojson"}

NOTE = """

## In Blangko (`blangko/data/geo/`)

The files above (full detail, 2.3 MB) are not shipped. `scripts/build_map_geometry.py`
derives the two files the risk map of the national overview draws, and copies this
SOURCES.md and `LICENSE-wilayah_boundaries.txt` beside them (the MIT notice must ship
with every copy):

| file | from | what changed |
|---|---|---|
| `kabkota.map.geojson` | `kabkota.geojson` | simplified as a coverage (shapely `coverage_simplify`, tolerance {tolerance}°, shared borders kept shared), islets and holes under {min_area} deg² (~{km2} km²) dropped except each feature's largest part, coordinates rounded to 0.001° |
| `provinces.map.geojson` | `provinces.geojson` | the same steps |

Codes, names and `province_code` are unchanged; every one of the 514 kab/kota and 38
provinces is kept, and their codes are checked against `blangko/data/kabkota.csv` and
`provinces.csv` when the files are built (and by `tests/unit/test_riskmap.py`).
Map credit, shown under the map: "Batas wilayah: cahyadsn/wilayah_boundaries (MIT,
© 2024 Cahya DSN), disederhanakan."
"""


def polygons(geometry: Any) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for part in getattr(geometry, "geoms", []) for g in polygons(part)]


def without_specks(geometry: Any, min_area: float) -> MultiPolygon:
    """The parts and holes of at least ``min_area`` (deg²), and always the largest part."""
    parts = [p for p in polygons(geometry) if not p.is_empty]
    largest = max(parts, key=lambda p: p.area)
    kept = [
        Polygon(p.exterior, [r for r in p.interiors if Polygon(r).area >= min_area])
        for p in parts
        if p is largest or p.area >= min_area
    ]
    return MultiPolygon(kept)


def build(source: Path, layer: str, tolerance: float, min_area: float) -> list[dict[str, Any]]:
    data = json.loads((source / LAYERS[layer]).read_text(encoding="utf-8"))
    features = data["features"]
    shapes = [shape(f["geometry"]) for f in features]
    simplified = shapely.coverage_simplify(shapes, tolerance)
    out = []
    for feature, geometry in zip(features, simplified, strict=True):
        rounded = shapely.set_precision(without_specks(geometry, min_area), 0.001)
        if rounded.is_empty:  # a speck of a kota: keep its simplified shape unrounded
            rounded = without_specks(geometry, min_area)
        out.append(
            {
                "type": "Feature",
                "properties": feature["properties"],
                "geometry": mapping(MultiPolygon(polygons(rounded))),
            }
        )
    return out


def check_codes(kabkota: list[dict[str, Any]], provinces: list[dict[str, Any]]) -> None:
    """The map's codes are the offices' codes (blangko/data, Kemendagri), one for one."""
    data = ROOT / "blangko" / "data"
    with (data / "kabkota.csv").open(encoding="utf-8") as f:
        offices = {row["code"] for row in csv.DictReader(f)}
    with (data / "provinces.csv").open(encoding="utf-8") as f:
        province_offices = {row["province_code"] for row in csv.DictReader(f)}
    mapped = {f["properties"]["code"] for f in kabkota}
    mapped_provinces = {f["properties"]["code"] for f in provinces}
    if mapped != offices or mapped_provinces != province_offices:
        raise SystemExit(
            f"codes differ: kab/kota only on the map {sorted(mapped - offices)}, "
            f"only in the list {sorted(offices - mapped)}; provinces "
            f"{sorted(mapped_provinces ^ province_offices)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--tolerance", type=float, default=0.02, help="degrees")
    parser.add_argument("--min-area", type=float, default=0.001, help="square degrees")
    args = parser.parse_args()
    TARGET.mkdir(parents=True, exist_ok=True)
    built = {layer: build(args.source, layer, args.tolerance, args.min_area) for layer in LAYERS}
    check_codes(built["kabkota"], built["provinces"])
    for layer, features in built.items():
        path = TARGET / LAYERS[layer].replace(".geojson", ".map.geojson")
        text = json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        path.write_text(text + "\n", encoding="utf-8")
        vertices = sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in features)
        print(
            f"{path.relative_to(ROOT)}: {len(features)} features, {vertices} vertices, "
            f"{path.stat().st_size:,} B"
        )
    shutil.copyfile(args.source / LICENSE, TARGET / LICENSE)
    km2 = round(args.min_area * 111.32**2)
    note = NOTE.format(tolerance=args.tolerance, min_area=args.min_area, km2=km2)
    sources = (args.source / "SOURCES.md").read_text(encoding="utf-8").rstrip("\n")
    (TARGET / "SOURCES.md").write_text(sources + note, encoding="utf-8")


if __name__ == "__main__":
    main()
