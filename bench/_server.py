"""Shared helpers of the HTTP benchmarks: a uvicorn server on a loopback port against a
given database, and tokens for a planner."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from sqlmodel import select

from blangko.db import make_engine, session_scope
from blangko.migrate import upgrade
from blangko.models import Role, User
from blangko.offices import seed_offices
from blangko.users import create_user

BENCH_USER, BENCH_PASSWORD = "bench-planner", "bench-password"


def prepare(url: str) -> None:
    """Migrates and seeds the database and adds the benchmark planner."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            seed_offices(session=session)
            if session.exec(select(User).where(User.username == BENCH_USER)).first() is None:
                create_user(
                    session=session, username=BENCH_USER, password=BENCH_PASSWORD, role=Role.planner
                )
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    url: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    as_served: bool = False,
    log: Path | None = None,
) -> Iterator[str]:
    """A server for database ``url`` on a free loopback port; yields its base URL. Plain
    uvicorn without an access log, or ``as_served``: ``blangko serve`` as an office runs it
    (access log on, into ``log``). ``env`` adds settings."""
    port = free_port()
    if as_served:
        command = [
            sys.executable, "-m", "blangko.cli", "serve", "--no-scheduler",
            "--workers", str(workers), "--port", str(port),
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
    with ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else None
        process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {}), "BLANGKO_DATABASE_URL": url},
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def token(base: str, username: str = BENCH_USER, password: str = BENCH_PASSWORD) -> str:
    response = httpx.post(
        base + "/api/v1/auth/token", data={"username": username, "password": password}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
