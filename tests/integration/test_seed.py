"""The bundled region list becomes 553 offices with parents, time zones and accounts."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import select

from blangko.db import session_scope
from blangko.models import Account, Office, OfficeKind
from blangko.offices import seed_offices


def test_seed_gives_every_office_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        again = seed_offices(session=session)
        kinds = dict(
            session.exec(select(Office.kind, func.count()).group_by(Office.kind)).all()  # type: ignore[arg-type]
        )
        accounts = session.exec(select(func.count()).select_from(Account)).one()
        medan = session.get(Office, "12.71")
        ambon = session.get(Office, "81.71")
        jayapura = session.get(Office, "91.71")
        makassar = session.get(Office, "73.71")
    assert again.created == 0 and again.existing == 553
    assert kinds == {
        OfficeKind.national: 1,
        OfficeKind.province: 38,
        OfficeKind.kabupaten: 416,
        OfficeKind.kota: 98,
    }
    assert accounts == 553 * 6 + 1  # six accounts an office, plus national supply
    assert medan is not None and medan.name == "Kota Medan" and medan.parent_code == "12"
    assert medan.timezone == "Asia/Jakarta"
    assert makassar is not None and makassar.timezone == "Asia/Makassar"
    assert ambon is not None and ambon.timezone == "Asia/Jayapura"
    assert jayapura is not None and jayapura.timezone == "Asia/Jayapura"


def test_cli_upgrade_and_seed_on_empty_sqlite(tmp_path: Path) -> None:
    env = {"BLANGKO_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "PATH": ""}
    run = [sys.executable, "-m", "blangko.cli"]
    upgraded = subprocess.run(
        [*run, "db", "upgrade"], env=env, capture_output=True, text=True, check=True
    )
    first = subprocess.run([*run, "seed"], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([*run, "seed"], env=env, capture_output=True, text=True, check=True)
    assert "migrated from empty" in upgraded.stdout
    assert "553 added" in first.stdout
    assert "0 added, 553 already present" in second.stdout
