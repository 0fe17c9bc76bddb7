"""Times ``GET /publik/{code}`` (an office's public page) with 50 concurrent clients on
loopback against ``blangko serve --workers 2`` (issue 14 item 3 bar: ≥ 1,000 requests/s,
p99 ≤ 50 ms, a page ≤ 50 KB without images).

    .venv/bin/python bench/public.py [--db PATH] [--years 1] [--seconds 10] [--clients 50]
                                     [--rates 0 1000]

Two phases by default: the 50 clients as fast as the server answers them (the most it
serves, and the latency at that saturation), then paced at 1,000 requests/s in all (the
latency at the bar's load).
The server believes ``X-Forwarded-For`` from 127.0.0.1 (``BLANGKO_TRUSTED_PROXIES``), and
each visit (a connection, ``VISIT`` pages) comes "from" one of 20,000 addresses, as
residents behind a proxy would: the per-address limit is in the path but none of them
reaches it. The clients are one
asyncio process speaking HTTP/1.1 keep-alive on raw sockets (a Python HTTP library would
need more CPU than the server on the same two cores). Without an existing ``--db`` it
builds one first (migrate, seed, ``bench/_history.py`` history)."""

import argparse
import asyncio
import os
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import _history  # the sibling modules of this script
import _server
import httpx

from blangko.db import make_engine
from blangko.offices import region_list

ROOT = Path(__file__).resolve().parent.parent
VISIT = 10  # pages a resident reads over one connection
STYLESHEETS = ["web/static/vendor/pico/pico.min.css", "web/static/css/blangko.css"]


def build(path: Path, years: int) -> None:
    url = f"sqlite:///{path}"
    started = time.perf_counter()
    _server.prepare(url)
    engine = make_engine(url)
    try:
        _history.generate(engine, years=years)
    finally:
        engine.dispose()
    print(f"built {path} ({years} year(s) of history) in {time.perf_counter() - started:.0f} s")


async def client(
    port: int, codes: list[str], phase: "Phase", out: list[float], st: dict[int, int]
) -> None:
    """One resident after another on this connection slot: each visit opens a
    connection, reads ``VISIT`` pages over keep-alive and leaves (50 long-lived
    connections opened in the same millisecond would be shared out between the workers
    by luck, which is not how phones arrive). Paced (``phase.interval``), a request's
    time counts from when it was due, so a slow answer also delays the ones behind it
    (no coordinated omission)."""
    rng = random.Random()
    due = phase.start + rng.random() * phase.interval
    while due < phase.until:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        forwarded = f"10.{rng.randrange(80)}.{rng.randrange(250)}.{rng.randrange(1, 250)}"
        try:
            for _ in range(VISIT):
                if phase.interval:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    sent = due
                    due += phase.interval
                else:
                    sent = due = time.perf_counter()
                if sent >= phase.until:
                    break
                writer.write(
                    f"GET /publik/{rng.choice(codes)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"X-Forwarded-For: {forwarded}\r\nAccept-Encoding: identity\r\n\r\n".encode()
                )
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                if sent >= phase.measure_from:
                    out.append(time.perf_counter() - sent)
                    st[status] = st.get(status, 0) + 1
        finally:
            writer.close()


@dataclass(frozen=True)
class Phase:
    start: float
    measure_from: float
    until: float
    interval: float  # seconds between one client's requests; 0 = as fast as it can


async def load(
    port: int, clients: int, seconds: float, warmup: float, rate: float
) -> tuple[list[float], dict[int, int]]:
    """``clients`` at once for ``warmup`` + ``seconds``; ``rate`` requests/s in all
    (0: each client as fast as the server answers)."""
    codes = [o.code for o in region_list() if o.kind.value in ("kabupaten", "kota")]
    start = time.perf_counter()
    phase = Phase(start, start + warmup, start + warmup + seconds, clients / rate if rate else 0)
    timings: list[float] = []
    statuses: dict[int, int] = {}
    await asyncio.gather(*(client(port, codes, phase, timings, statuses) for _ in range(clients)))
    return timings, statuses


def report(label: str, seconds: float, timings: list[float], statuses: dict[int, int]) -> None:
    ms = [t * 1000 for t in timings]
    print(
        f"{label}: {len(ms) / seconds:,.0f} requests/s, "
        f"p50 {_server.percentile(ms, 0.5):.1f} ms, p99 {_server.percentile(ms, 0.99):.1f} ms, "
        f"max {max(ms):.1f} ms; statuses {dict(sorted(statuses.items()))}"
    )


def page_sizes(base: str) -> None:
    """What a phone downloads: the page and, on a first visit, the stylesheets, as the server
    sends them to a browser that accepts gzip (bytes on the wire)."""
    gz = {"Accept-Encoding": "gzip"}

    def sizes(path: str) -> tuple[int, int]:
        answer = httpx.get(base + path, headers=gz)
        return len(answer.content), answer.num_bytes_downloaded

    html, html_wire = sizes("/publik/32.16")
    index, _ = sizes("/publik")
    css = [sizes("/" + name.removeprefix("web/")) for name in STYLESHEETS]
    css_raw, css_wire = sum(c[0] for c in css), sum(c[1] for c in css)
    print(
        f"page size: /publik/32.16 {html / 1024:.1f} KB HTML ({html_wire / 1024:.1f} KB sent), "
        f"/publik {index / 1024:.1f} KB; no images, no scripts; stylesheets once per visitor "
        f"(then cached): {css_raw / 1024:.1f} KB ({css_wire / 1024:.1f} KB sent); first visit "
        f"{(html_wire + css_wire) / 1024:.1f} KB on the wire; bar ≤ 50 KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite database (built when missing)")
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured, per phase")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=[0.0, 1000.0],
        help="one phase per rate (requests/s in all; 0 = as fast as answered)",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="blangko-public-"))
    path = args.db or tmp / "public.db"
    if not path.exists():
        build(path, args.years)
    trusted = {"BLANGKO_TRUSTED_PROXIES": "127.0.0.1"}
    with _server.server(
        f"sqlite:///{path}",
        workers=args.workers,
        env=trusted,
        as_served=True,
        log=tmp / "serve.log",
    ) as base:
        port = int(base.rsplit(":", 1)[1])
        page_sizes(base)
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        for rate in args.rates:
            timings, statuses = asyncio.run(
                load(port, args.clients, args.seconds, args.warmup, rate)
            )
            paced = f"paced at {rate:,.0f} requests/s" if rate else "as fast as answered"
            report(
                f"GET /publik/{{code}}, {args.clients} clients {paced}, {args.workers} workers, "
                f"{args.seconds:.0f} s after {args.warmup:.0f} s warm-up",
                args.seconds,
                timings,
                statuses,
            )
    print("bars: ≥ 1,000 requests/s with p99 ≤ 50 ms; page ≤ 50 KB")
    try:
        load_average = os.getloadavg()
        print(f"load average afterwards: {load_average[0]:.1f} (2 cores shared)")
    except OSError:
        pass


if __name__ == "__main__":
    main()
