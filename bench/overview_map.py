"""Times the planner's national overview with its risk map (``GET /nasional``, 514 kab/kota
drawn as SVG, and ``?peta=provinsi``) over HTTP on loopback, signed in as a planner, on a
database with years of history and forecasts (issue 13 item 6 bar: ≤ 1 s).

    .venv/bin/python bench/overview_map.py --db PATH [--requests 50]

``--db`` is an existing SQLite file (for example a copy of a ``blangko demo --years 3``
database after ``blangko forecast run``); it is migrated and gets the benchmark planner.
Prints the first request (the map's geometry is read and projected then, once per
process), the median and p95 of the rest, and the page's size as sent (gzip) and
unpacked, with the map's share."""

import argparse
import re
import statistics
import time
from pathlib import Path

import _server  # the sibling module of this script
import httpx

VIEWS = {"kab/kota": "/nasional", "provinsi": "/nasional?peta=provinsi"}


def sign_in(client: httpx.Client) -> None:
    form = client.get("/login").text
    match = re.search(r'name="csrf" value="([^"]+)"', form)
    if match is None:
        raise SystemExit("no CSRF token on /login")
    answer = client.post(
        "/login",
        data={
            "username": _server.BENCH_USER,
            "password": _server.BENCH_PASSWORD,
            "csrf": match.group(1),
        },
        follow_redirects=False,  # the first overview is timed below, cold
    )
    if answer.headers.get("location") != "/nasional":
        raise SystemExit(f"sign-in failed: {answer.status_code}")


def sent_size(base: str, cookies: httpx.Cookies, path: str) -> int:
    """Bytes on the wire with ``Accept-Encoding: gzip`` (the body as sent, not unpacked)."""
    with (
        httpx.Client(base_url=base, cookies=cookies) as client,
        client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as answer,
    ):
        return sum(len(chunk) for chunk in answer.iter_raw())


def measure(base: str, requests: int) -> None:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
        sign_in(client)
        for view, path in VIEWS.items():
            started = time.perf_counter()
            page = client.get(path)
            first = (time.perf_counter() - started) * 1000
            page.raise_for_status()
            svg = re.search(r"<svg id=\"peta\".*?</svg>", page.text, re.S)
            drawn = svg.group(0) if svg else ""
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                timings.append((time.perf_counter() - started) * 1000)
            wire = sent_size(base, client.cookies, path)
            shapes = f"{drawn.count('<a href=')} links"
            print(
                f"GET {path} ({view} map, {shapes}), {requests} requests: "
                f"first {first:.0f} ms, median {statistics.median(timings):.1f} ms, "
                f"p95 {_server.percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms; "
                f"page {len(page.content) / 1000:.0f} KB ({wire / 1000:.0f} KB gzip), "
                f"map {len(drawn) / 1000:.0f} KB"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="SQLite file with forecasts")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    _server.prepare(url)
    with _server.server(url) as base:
        measure(base, args.requests)


if __name__ == "__main__":
    main()
