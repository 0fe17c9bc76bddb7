"""stock_backlog_mismatch through the nightly alert pipeline on a real database (issue 14
item 4): a hand-made history where residents get Suket while blanks sit in the
warehouse opens the alert with its figures, e-mails the province's officers (not the
office's own) and the planners' digest, and the alert resolves when the backlog falls."""

from sqlalchemy import Engine
from sqlmodel import col, select

from blangko.db import session_scope
from blangko.models import Alert, AlertKind, OutboxMessage, Role
from blangko.users import create_user
from forecast.alerts import NIGHTLY_KINDS
from forecast.nightly import run_alerts
from tests.integration.public_support import Day, office_with, report_days

PASSWORD = "kata-sandi-rahasia"
# Four weeks of ordinary work, then eight days of the backlog climbing with Suket issued
# and almost nothing printed, while 3,600 blanks (about 36 days) stay on the shelf.
ORDINARY = [Day(requests=100, printed=100, backlog=50)] * 20
STUCK = [Day(requests=100, printed=5, backlog=50 + 95 * i, suket=90) for i in range(1, 9)]


def users(engine: Engine) -> None:
    with session_scope(engine) as session:
        for username, role, office, email in [
            ("perencana", Role.planner, None, "perencana@dukcapil.go.id"),
            ("petugas.jabar", Role.officer, "32", "prov@jabarprov.go.id"),
            ("petugas.bekasi", Role.officer, "32.16", "bekasi@bekasikab.go.id"),
        ]:
            create_user(
                session=session,
                username=username,
                password=PASSWORD,
                role=role,
                office_code=office,
                email=email,
            )


def open_mismatch(engine: Engine) -> list[Alert]:
    with session_scope(engine, write=False) as session:
        return list(
            session.exec(
                select(Alert).where(
                    Alert.kind == AlertKind.stock_backlog_mismatch,
                    col(Alert.resolved_at).is_(None),
                )
            ).all()
        )


def test_residents_waiting_beside_a_full_warehouse_alert_the_province_and_planners(
    sqlite_engine: Engine,
) -> None:
    users(sqlite_engine)
    last = office_with(sqlite_engine, "32.16", received=5600, days=[*ORDINARY, *STUCK])
    run_alerts(sqlite_engine, kinds=NIGHTLY_KINDS, send=False)

    [alert] = open_mismatch(sqlite_engine)
    assert alert.office_code == "32.16"
    assert alert.details["backlog_from"] == 50 and alert.details["backlog"] == 810
    assert alert.details["suket_issued"] == 720 and alert.details["on_hand"] == 3560
    assert alert.details["days"] == 8 and alert.details["report_date"] == last.isoformat()
    with session_scope(sqlite_engine, write=False) as session:
        mail = session.exec(select(OutboxMessage)).all()
    to_province = [m for m in mail if m.recipients == ["prov@jabarprov.go.id"]]
    assert len(to_province) == 1
    assert "Kabupaten Bekasi" in to_province[0].subject
    assert "antrean 50 -> 810" in to_province[0].body_text
    to_office = [m for m in mail if "bekasi@bekasikab.go.id" in m.recipients]
    assert to_office  # its own alerts (a high backlog) reach it...
    assert not any("naik dari 50 menjadi 810" in m.body_text for m in to_office)  # not this
    [digest] = [m for m in mail if m.kind == "digest"]
    assert "perencana@dukcapil.go.id" in digest.recipients
    assert "Antrean rekaman siap cetak naik dari 50 menjadi 810" in digest.body_text

    # The next day the office prints again: the backlog falls and the alert resolves.
    report_days(sqlite_engine, "32.16", last, [Day(requests=100, printed=400, backlog=510)])
    run_alerts(sqlite_engine, kinds=NIGHTLY_KINDS, send=False)
    assert open_mismatch(sqlite_engine) == []
