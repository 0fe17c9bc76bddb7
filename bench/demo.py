"""Times ``blangko demo --years 3`` for all 553 offices on a fresh SQLite database (SPEC §7
bar: ≤ 120 s) and prints its wall time and peak memory.

    .venv/bin/python bench/demo.py [--years 3] [--keep PATH]

The database is migrated and seeded first (not timed); the demo runs as its own process,
so its peak resident memory is that of the finished child. The load average is printed
too: the machine may be shared."""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa


def blangko() -> str:
    return str(Path(sys.executable).with_name("blangko"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="copy the database here afterwards")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="blangko-demo-") as folder:
        path = Path(folder) / "demo.db"
        env = {**os.environ, "BLANGKO_DATABASE_URL": f"sqlite:///{path}"}
        for step in (["db", "upgrade"], ["seed"]):
            subprocess.run([blangko(), *step], env=env, check=True, capture_output=True)
        load_before = os.getloadavg()
        began = time.perf_counter()
        done = subprocess.run(
            [blangko(), "demo", "--years", str(args.years)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - began
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        engine = sa.create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            rows = {
                table: conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("movements", "entries", "daily_reports", "shipments")
            }
        engine.dispose()
        size_mib = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
        if args.keep:
            shutil.copyfile(path, args.keep)
    print(done.stdout.strip().splitlines()[-1])
    print(
        "rows: " + ", ".join(f"{table} {count:,}" for table, count in rows.items()),
        f"database {size_mib:.0f} MiB",
        sep="; ",
    )
    print(
        f"blangko demo --years {args.years}: wall {wall:.1f} s (bar ≤ 120 s), "
        f"peak memory {peak_mib:.0f} MiB; load average before "
        f"{load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
