"""Is the ledger whole? The four invariants of SPEC §3 recomputed from the tables, and the
database's own integrity checks, as findings a person can read (``blangko db check``; the
tests assert the same findings are empty after every write).

Run inside one read transaction, so that every query sees the same snapshot while the
server goes on writing (``snapshot``)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from blangko.db import session_scope
from blangko.ledger import MAY_GO_NEGATIVE
from blangko.models import Account, Entry, Movement

SHOWN = 20  # findings of one kind listed before "... and N more"


def snapshot(engine: Engine) -> Engine:
    """``engine`` with read transactions that see one snapshot throughout: SQLite's read
    transactions in WAL mode do; PostgreSQL's default (read committed) does not."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def ledger_findings(session: Session) -> list[str]:
    """What breaks the SPEC §3 invariants, one line each; empty when the ledger is whole.

    1. the sum of all balances is 0; 2. no stock balance is negative (nor any other but
    ``supply`` and ``adjustment``, as ``ledger.post`` enforces); 3. cached balances equal
    the sum of the entries; 4. entries are never changed: every entry belongs to a movement
    and two accounts that exist, and every reversal references an existing movement and
    mirrors its entries exactly."""
    return [
        *_sum_of_balances(session),
        *_negative_balances(session),
        *_cached_balances(session),
        *_dangling_references(session),
        *_reversals(session),
    ]


def _sum_of_balances(session: Session) -> list[str]:
    total = session.execute(sa.select(sa.func.coalesce(sa.func.sum(col(Account.balance)), 0)))
    value = int(total.scalar() or 0)
    return [] if value == 0 else [f"the sum of all balances is {value}, not 0"]


def _negative_balances(session: Session) -> list[str]:
    rows = session.execute(
        sa.select(col(Account.office_code), col(Account.kind), col(Account.balance))
        .where(col(Account.balance) < 0, col(Account.kind).not_in(MAY_GO_NEGATIVE))
        .order_by(col(Account.office_code), col(Account.kind))
    ).all()
    return _listed(
        f"{kind} balance of office {office} is {balance}" for office, kind, balance in rows
    )


def _cached_balances(session: Session) -> list[str]:
    changes = (
        sa.select(col(Entry.to_account_id).label("account_id"), col(Entry.quantity).label("delta"))
        .union_all(sa.select(col(Entry.from_account_id), -col(Entry.quantity)))
        .subquery()
    )
    sums = (
        sa.select(changes.c.account_id, sa.func.sum(changes.c.delta).label("total"))
        .group_by(changes.c.account_id)
        .subquery()
    )
    from_entries = sa.func.coalesce(sums.c.total, 0)
    rows = session.execute(
        sa.select(
            col(Account.id),
            col(Account.office_code),
            col(Account.kind),
            col(Account.balance),
            from_entries,
        )
        .outerjoin(sums, sums.c.account_id == col(Account.id))
        .where(col(Account.balance) != from_entries)
        .order_by(col(Account.id))
    ).all()
    return _listed(
        f"cached {kind} balance of office {office} (account #{account}) is {cached}, "
        f"its entries sum to {total}"
        for account, office, kind, cached, total in rows
    )


def _dangling_references(session: Session) -> list[str]:
    """Entries whose movement or accounts are gone, reversals of missing movements (the
    foreign keys forbid them; this sees them even where the keys were not enforced)."""
    movement, source, target, original = (
        aliased(Movement),
        aliased(Account),
        aliased(Account),
        aliased(Movement),
    )
    entries = session.execute(
        sa.select(
            col(Entry.id),
            col(Entry.movement_id),
            col(movement.id),
            col(Entry.from_account_id),
            col(source.id),
            col(Entry.to_account_id),
            col(target.id),
        )
        .outerjoin(movement, col(movement.id) == col(Entry.movement_id))
        .outerjoin(source, col(source.id) == col(Entry.from_account_id))
        .outerjoin(target, col(target.id) == col(Entry.to_account_id))
        .where(
            sa.or_(col(movement.id).is_(None), col(source.id).is_(None), col(target.id).is_(None))
        )
        .order_by(col(Entry.id))
    ).all()
    missing = [
        f"entry #{entry} names {what} #{ref}, which does not exist"
        for entry, *pairs in entries
        for what, ref, found in (
            ("movement", pairs[0], pairs[1]),
            ("account", pairs[2], pairs[3]),
            ("account", pairs[4], pairs[5]),
        )
        if found is None
    ]
    reversals = session.execute(
        sa.select(col(Movement.id), col(Movement.reverses_id))
        .outerjoin(original, col(original.id) == col(Movement.reverses_id))
        .where(col(Movement.reverses_id).is_not(None), col(original.id).is_(None))
        .order_by(col(Movement.id))
    ).all()
    missing += [f"movement #{m} reverses movement #{r}, which does not exist" for m, r in reversals]
    return _listed(missing)


def _reversals(session: Session) -> list[str]:
    """Every reversal moves exactly the original's quantities back: an original entry
    changed or removed after its reversal shows here."""
    reversal = aliased(Movement)

    def legs(of_original: bool) -> sa.Select[Any, Any, Any, Any]:
        """(reversal id, from, to, quantity): the reversal's own entries, or the original's
        entries turned around."""
        source, target = col(Entry.from_account_id), col(Entry.to_account_id)
        if of_original:
            source, target = target, source
        owner = col(reversal.reverses_id) if of_original else col(reversal.id)
        return (
            sa.select(
                col(reversal.id).label("reversal_id"),
                source.label("from_id"),
                target.label("to_id"),
                col(Entry.quantity).label("quantity"),
            )
            .join(reversal, owner == col(Entry.movement_id))
            .where(col(reversal.reverses_id).is_not(None))
        )

    # Each difference in its own subquery: SQLite cannot nest compound selects.
    missing = legs(of_original=True).except_(legs(of_original=False)).subquery()
    extra = legs(of_original=False).except_(legs(of_original=True)).subquery()
    differing = sa.union(
        sa.select(missing.c.reversal_id), sa.select(extra.c.reversal_id)
    ).subquery()
    rows = session.execute(
        sa.select(col(Movement.id), col(Movement.reverses_id))
        .where(col(Movement.id).in_(sa.select(differing.c.reversal_id)))
        .order_by(col(Movement.id))
    ).all()
    return _listed(
        f"reversal #{movement} does not mirror the entries of movement #{original}"
        for movement, original in rows
    )


def _listed(findings: Iterable[str]) -> list[str]:
    found = list(findings)
    if len(found) <= SHOWN:
        return found
    return [*found[:SHOWN], f"... and {len(found) - SHOWN} more like these"]


@dataclass(frozen=True)
class DatabaseCheck:
    """What the database engine says of its own files."""

    findings: list[str]
    checked: str  # what was checked, for the line that says all is well


def database_findings(session: Session) -> DatabaseCheck:
    """SQLite: ``PRAGMA integrity_check`` and ``foreign_key_check``. PostgreSQL enforces its
    keys itself; its B-tree indexes are checked with ``amcheck`` when that extension is
    installed (``CREATE EXTENSION amcheck``), and are otherwise left alone."""
    if session.get_bind().dialect.name == "sqlite":
        problems = [
            str(row[0])
            for row in session.execute(sa.text("PRAGMA integrity_check"))
            if row[0] != "ok"
        ]
        problems += [
            f"{table} row {rowid} names a missing row of {parent}"
            for table, rowid, parent, _ in session.execute(sa.text("PRAGMA foreign_key_check"))
        ]
        return DatabaseCheck(
            _listed(problems), "SQLite integrity_check and foreign_key_check clean"
        )
    installed = session.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
    ).first()
    if installed is None:
        return DatabaseCheck([], "indexes not checked (amcheck not installed)")
    allowed = session.execute(
        sa.text("SELECT has_function_privilege('bt_index_check(regclass)', 'EXECUTE')")
    ).scalar()
    if not allowed:
        return DatabaseCheck([], "indexes not checked (no EXECUTE right on bt_index_check)")
    indexes = session.execute(
        sa.text(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.amname = 'btree' AND i.indisvalid AND n.nspname = current_schema() "
            "ORDER BY c.relname"
        )
    ).all()
    problems = []
    for oid, name in indexes:
        try:
            with session.begin_nested():
                session.execute(
                    sa.text("SELECT bt_index_check(CAST(CAST(:oid AS oid) AS regclass))"),
                    {"oid": oid},
                )
        except sa.exc.DBAPIError as error:
            problems.append(f"index {name}: {error.orig}")
    return DatabaseCheck(_listed(problems), f"{len(indexes)} B-tree indexes pass amcheck")


@dataclass(frozen=True)
class Report:
    """Everything ``blangko db check`` found, in one snapshot of the database."""

    findings: list[str]
    movements: int
    entries: int
    checked: str


def check(engine: Engine) -> Report:
    """The ledger's invariants and the database's own checks, in one read transaction."""
    with session_scope(snapshot(engine), write=False) as session:
        movements, entries = session.execute(
            sa.select(
                sa.select(sa.func.count()).select_from(Movement).scalar_subquery(),
                sa.select(sa.func.count()).select_from(Entry).scalar_subquery(),
            )
        ).one()
        database = database_findings(session)
        findings = [*ledger_findings(session), *database.findings]
    return Report(findings, int(movements), int(entries), database.checked)
