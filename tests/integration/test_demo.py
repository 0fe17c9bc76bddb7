"""``blangko demo`` on a real database (SQLite and PostgreSQL): the history it writes keeps
every ledger rule, its records agree with each other, the demo users can sign in, a used
ledger is left alone, and the same seed writes the same ledger."""

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from blangko.cli import app
from blangko.db import make_engine, session_scope
from blangko.demo import DemoResult, run_demo
from blangko.demo.writer import TABLES, table_of
from blangko.errors import InvalidState, ValidationFailed
from blangko.ledger import stock_card
from blangko.models import Account, AccountKind, DailyReport, Movement, Role, Source, User
from blangko.users import authenticate, create_user
from tests.integration.ledger_support import invariant_violations

# Kabupaten Bekasi and Kota Medan (the demo officers' offices, WIB) and Kota Jayapura (WIT).
SUBSET = ["32.16", "12.71", "91.71"]

RUNNING_BALANCES = sa.text(
    """
    WITH legs AS (
        SELECT e.to_account_id AS account_id, e.quantity AS delta, m.business_date,
               m.recorded_at, m.id AS movement_id, e.id AS entry_id
        FROM entries e JOIN movements m ON m.id = e.movement_id
        UNION ALL
        SELECT e.from_account_id, -e.quantity, m.business_date, m.recorded_at, m.id, e.id
        FROM entries e JOIN movements m ON m.id = e.movement_id
    ),
    running AS (
        SELECT account_id, SUM(delta) OVER (
            PARTITION BY account_id
            ORDER BY business_date, recorded_at, movement_id, entry_id
            ROWS UNBOUNDED PRECEDING
        ) AS balance
        FROM legs
    )
    SELECT a.office_code, a.kind, MIN(r.balance)
    FROM running r JOIN accounts a ON a.id = r.account_id
    WHERE a.kind IN ('stock', 'transit', 'printed', 'spoiled', 'lost')
    GROUP BY a.office_code, a.kind
    HAVING MIN(r.balance) < 0
    """
)

REPORTS_VS_ENTRIES = sa.text(
    """
    SELECT r.office_code, r.report_date
    FROM daily_reports r
    LEFT JOIN movements m ON m.id = r.movement_id
    LEFT JOIN (
        SELECT e.movement_id,
               SUM(CASE WHEN a.kind = 'printed' THEN e.quantity ELSE 0 END) AS printed,
               SUM(CASE WHEN a.kind = 'spoiled' THEN e.quantity ELSE 0 END) AS spoiled,
               SUM(CASE WHEN a.kind NOT IN ('printed', 'spoiled') THEN 1 ELSE 0 END) AS other
        FROM entries e JOIN accounts a ON a.id = e.to_account_id
        GROUP BY e.movement_id
    ) x ON x.movement_id = r.movement_id
    WHERE r.is_current AND (
        COALESCE(x.printed, 0) <> r.printed
        OR COALESCE(x.spoiled, 0) <> r.spoiled_gagal_cetak + r.spoiled_gagal_encode
                                     + r.spoiled_rusak_fisik + r.spoiled_lainnya
        OR COALESCE(x.other, 0) <> 0
        OR (r.movement_id IS NOT NULL AND (m.office_code <> r.office_code
                                           OR m.business_date <> r.report_date
                                           OR m.kind <> 'daily_report'))
        OR (r.movement_id IS NULL AND r.printed + r.spoiled_gagal_cetak
            + r.spoiled_gagal_encode + r.spoiled_rusak_fisik + r.spoiled_lainnya > 0)
    )
    """
)

SHIPMENTS_VS_ENTRIES = sa.text(
    """
    SELECT s.id, s.status
    FROM shipments s
    JOIN movements d ON d.id = s.dispatch_movement_id
    LEFT JOIN movements c ON c.id = s.close_movement_id
    LEFT JOIN (
        SELECT e.movement_id,
               SUM(CASE WHEN a.kind = 'stock' THEN e.quantity ELSE 0 END) AS received,
               SUM(CASE WHEN a.kind = 'lost' THEN e.quantity ELSE 0 END) AS lost
        FROM entries e JOIN accounts a ON a.id = e.to_account_id
        GROUP BY e.movement_id
    ) x ON x.movement_id = s.close_movement_id
    LEFT JOIN allocation_requests q ON q.id = s.allocation_request_id
    WHERE d.kind <> 'dispatch' OR d.office_code <> s.from_office
       OR d.business_date <> s.dispatched_on OR s.expected_on < s.dispatched_on
       OR (s.status = 'in_transit' AND s.close_movement_id IS NOT NULL)
       OR (s.status = 'cancelled' AND (c.kind <> 'cancel' OR s.received_on IS NOT NULL))
       OR (s.status IN ('received', 'received_short') AND (
            c.kind <> 'receipt' OR c.office_code <> s.to_office
            OR c.business_date <> s.received_on OR s.received_on <= s.dispatched_on
            OR x.received <> s.received_quantity
            OR COALESCE(x.lost, 0) <> s.quantity - s.received_quantity))
       OR (s.status = 'received' AND s.received_quantity <> s.quantity)
       OR (s.status = 'received_short' AND (s.received_quantity >= s.quantity
                                           OR s.shortfall_reason = ''))
       OR (s.allocation_request_id IS NOT NULL AND (
            q.status <> 'approved' OR q.approved_quantity <> s.quantity
            OR q.office_code <> s.to_office OR s.from_office <> '00'))
    """
)


def run(engine: Engine, **options: Any) -> DemoResult:
    return run_demo(engine=engine, offices=SUBSET, **options)


def ledger_dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the demo writes, and every balance, in id order."""
    with engine.connect() as conn:
        dump = {
            table_of(model).name: [
                tuple(row)
                for row in conn.execute(sa.select(table_of(model)).order_by(table_of(model).c.id))
            ]
            for model in TABLES
        }
        dump["accounts"] = [
            tuple(row)
            for row in conn.execute(
                sa.select(table_of(Account).c.id, table_of(Account).c.balance).order_by(
                    table_of(Account).c.id
                )
            )
        ]
    return dump


def test_demo_history_keeps_every_ledger_rule(engine: Engine) -> None:
    result = run(engine)
    assert result.written is not None
    assert result.offices == 1 + 3 + 3  # national, three provinces, three kab/kota
    assert result.written.daily_reports > 3 * 800
    assert result.written.shipments > 50 and result.written.requests > 50
    with session_scope(engine, write=False) as session:
        assert invariant_violations(session) == []
        assert session.execute(RUNNING_BALANCES).all() == []
        assert session.execute(REPORTS_VS_ENTRIES).all() == []
        assert session.execute(SHIPMENTS_VS_ENTRIES).all() == []
        sources = set(session.exec(select(Movement.source).distinct()).all())
        assert sources == {Source.demo}
        # The stock card service reads the same balance the accounts cache.
        for code in ["00", "32", *SUBSET]:
            card = stock_card(session=session, office_code=code, limit=1)
            cached = session.exec(
                select(Account.balance).where(
                    Account.office_code == code, Account.kind == AccountKind.stock
                )
            ).one()
            assert card.closing_balance == cached


def test_demo_users_sign_in_and_a_used_ledger_is_left_alone(engine: Engine) -> None:
    with session_scope(engine) as session:  # a planner made by hand before the demo
        create_user(
            session=session, username="perencana", password="rahasia-123", role=Role.planner
        )
    result = run(engine, years=1)
    users = {u.username: u for u in result.users}
    assert not users["perencana"].created
    assert users["petugas.bekasi"].created and users["petugas.bekasi"].office_code == "32.16"
    assert users["petugas.medan"].office_code == "12.71"
    with session_scope(engine) as session:
        assert authenticate(session=session, username="perencana", password="rahasia-123")
        assert not authenticate(session=session, username="perencana", password="demo-perencana")
        bekasi = authenticate(session=session, username="petugas.bekasi", password="demo-bekasi")
        assert bekasi is not None and bekasi.role is Role.officer
        assert bekasi.office_code == "32.16"
        medan = authenticate(session=session, username="petugas.medan", password="demo-medan")
        assert medan is not None and medan.office_code == "12.71"
    before = ledger_dump(engine)
    with pytest.raises(InvalidState) as refused:
        run(engine, years=1)
    assert "database kosong" in refused.value.message
    skipped = run(engine, years=1, if_empty=True)
    assert skipped.skipped and skipped.ledger_rows > 0 and skipped.users == ()
    assert ledger_dump(engine) == before


def test_demo_refuses_bad_options(sqlite_engine: Engine) -> None:
    with pytest.raises(ValidationFailed, match="tidak dikenal"):
        run_demo(engine=sqlite_engine, offices=["99.99"])
    with pytest.raises(ValidationFailed, match="bukan kabupaten/kota"):
        run_demo(engine=sqlite_engine, offices=["32"])
    with pytest.raises(ValidationFailed, match="minimal 1"):
        run_demo(engine=sqlite_engine, years=0)
    with pytest.raises(ValidationFailed, match="sebelum hari ini"):
        run_demo(engine=sqlite_engine, start=date(2030, 1, 1), today=date(2026, 11, 22))
    with Session(sqlite_engine) as session:
        assert session.exec(select(sa.func.count()).select_from(User)).one() == 0


def _fresh(template: Path, tmp_path: Path, name: str) -> Engine:
    path = tmp_path / f"{name}.db"
    shutil.copyfile(template, path)
    return make_engine(f"sqlite:///{path}")


def _requests(engine: Engine, office: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        reports = table_of(DailyReport)
        return [
            tuple(row)
            for row in conn.execute(
                sa.select(reports.c.report_date, reports.c.print_requests)
                .where(reports.c.office_code == office)
                .order_by(reports.c.report_date)
            )
        ]


def test_same_seed_same_ledger_other_seed_other_ledger(
    sqlite_template: Path, tmp_path: Path
) -> None:
    engines = [_fresh(sqlite_template, tmp_path, name) for name in ("a", "b", "c", "d")]
    try:
        for engine, seed in zip(engines, (11, 11, 12), strict=False):
            run_demo(engine=engine, offices=SUBSET, years=1, seed=seed)
        run_demo(engine=engines[3], offices=["32.16"], years=1, seed=11)
        first, again, other = (ledger_dump(engine) for engine in engines[:3])
        # An office's demand does not depend on which other offices are simulated.
        alone, together = _requests(engines[3], "32.16"), _requests(engines[0], "32.16")
    finally:
        for engine in engines:
            engine.dispose()
    assert first == again
    assert first["daily_reports"] != other["daily_reports"]
    assert first["accounts"] != other["accounts"]
    assert len(alone) > 250 and alone == together


def test_history_ends_yesterday_at_the_latest(sqlite_engine: Engine) -> None:
    result = run_demo(
        engine=sqlite_engine, offices=["32.16"], start=date(2024, 1, 1), today=date(2024, 3, 1)
    )
    assert result.end == date(2024, 2, 29) and result.days == 60
    assert not result.ends_before_today
    with Session(sqlite_engine) as session:
        last = session.exec(select(sa.func.max(DailyReport.report_date))).one()
        first = session.exec(select(sa.func.min(Movement.business_date))).one()
    assert first == date(2024, 1, 1) and last is not None and last <= date(2024, 2, 29)


def test_demo_command_line(sqlite_engine: Engine) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--offices", "32.16", "--years", "1", "--seed", "3"])
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    assert lines[-1].startswith("Demo: 3 offices, 365 days (1 Jan 2022 – 31 Des 2022)")
    assert "blanks/month printed in normal months" in lines[-1]
    assert any("petugas.bekasi" in line and "demo-bekasi" in line for line in lines)
    assert any("for the demo only" in line for line in lines)
    assert any("before today" in line for line in lines)
    again = runner.invoke(app, ["demo", "--offices", "32.16", "--years", "1"])
    assert again.exit_code == 1 and "Gagal: Buku stok sudah berisi" in again.output
    skipped = runner.invoke(app, ["demo", "--if-empty"])
    assert skipped.exit_code == 0 and skipped.output.startswith("Demo skipped")
    bad = runner.invoke(app, ["demo", "--start", "1 Jan 2022"])
    assert bad.exit_code == 1 and "tidak valid" in bad.output


def test_default_history_runs_from_2022_to_yesterday(sqlite_engine: Engine) -> None:
    result = run_demo(engine=sqlite_engine, offices=["32.16"], today=date(2022, 3, 1))
    assert (result.start, result.end) == (date(2022, 1, 1), date(2022, 2, 28))
    assert not result.ends_before_today
