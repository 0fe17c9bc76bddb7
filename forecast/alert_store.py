"""Alerts kept in the database (repository): one open alert per office and kind, opened,
updated while the condition lasts and resolved when it clears (``sync``); listed, read
and acknowledged for the pages and the API."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from blangko import idempotency, paging
from blangko.errors import InvalidState, NotFound
from blangko.models import Alert, AlertKind, AlertSeverity, utcnow
from forecast.alert_rules import SEVERITY_RANK, Finding


@dataclass
class Outcome:
    opened: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    kinds: set[AlertKind] = field(default_factory=set)


def sync(
    *, session: Session, findings: list[Finding], kinds: Iterable[AlertKind], now: datetime
) -> Outcome:
    """Opens an alert per new finding, updates the open one when the condition lasts, and
    resolves open alerts of the evaluated ``kinds`` whose condition has cleared."""
    kinds = set(kinds)
    outcome = Outcome(kinds=kinds)
    if not kinds:
        return outcome
    open_alerts = {
        (a.office_code, a.kind): a
        for a in session.exec(
            select(Alert).where(col(Alert.resolved_at).is_(None), col(Alert.kind).in_(kinds))
        ).all()
    }
    seen: set[tuple[str, AlertKind]] = set()
    for finding in findings:
        if finding.kind not in kinds:
            continue
        key = (finding.office_code, finding.kind)
        seen.add(key)
        alert = open_alerts.get(key)
        if alert is None:
            alert = Alert(
                office_code=finding.office_code,
                kind=finding.kind,
                severity=finding.severity,
                message=finding.message,
                details=finding.details,
                opened_at=now,
                updated_at=now,
            )
            session.add(alert)
            outcome.opened.append(alert)
            continue
        if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]:
            outcome.escalated.append(alert)
            alert.acknowledged_at = None  # a worse condition needs a fresh look
            alert.acknowledged_by = None
        alert.severity = finding.severity
        alert.message = finding.message
        alert.details = finding.details
        alert.updated_at = now
        session.add(alert)
        outcome.updated.append(alert)
    for key, alert in open_alerts.items():
        if key not in seen:
            alert.resolved_at = now
            alert.updated_at = now
            session.add(alert)
            outcome.resolved.append(alert)
    session.flush()
    return outcome


def list_alerts(
    *,
    session: Session,
    office_codes: list[str] | None = None,
    kind: AlertKind | None = None,
    status: str | None = None,
    severity: AlertSeverity | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Alert]:
    """Alerts newest first; ``status`` is ``open`` or ``resolved``; ``office_codes``
    limits them to those offices (an officer's scope)."""
    query = _alerts_query(office_codes, kind, status, severity)
    return list(session.exec(query.offset(offset).limit(limit)).all())


def alert_page(
    *,
    session: Session,
    office_codes: list[str] | None = None,
    kind: AlertKind | None = None,
    status: str | None = None,
    severity: AlertSeverity | None = None,
    offset: int = 0,
    limit: int = paging.DEFAULT_LIMIT,
) -> paging.Page[Alert]:
    """``list_alerts`` with the total over all pages."""
    query = _alerts_query(office_codes, kind, status, severity)
    return paging.page_of(session, query, offset=offset, limit=limit)


def _alerts_query(
    office_codes: list[str] | None,
    kind: AlertKind | None,
    status: str | None,
    severity: AlertSeverity | None,
) -> Any:
    query = select(Alert)
    if office_codes is not None:
        query = query.where(col(Alert.office_code).in_(office_codes))
    if kind:
        query = query.where(Alert.kind == kind)
    if severity:
        query = query.where(Alert.severity == severity)
    if status == "open":
        query = query.where(col(Alert.resolved_at).is_(None))
    elif status == "resolved":
        query = query.where(col(Alert.resolved_at).is_not(None))
    return query.order_by(col(Alert.updated_at).desc(), col(Alert.id).desc())


def get_alert(*, session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"Peringatan #{alert_id} tidak ditemukan.")
    return alert


def acknowledge(
    *, session: Session, alert_id: int, user_id: int | None, idempotency_key: str | None = None
) -> Alert:
    """Marks an alert as read by someone who will act on it (again: keeps the first)."""
    payload = {"alert": alert_id}
    if (done := idempotency.replay(session, idempotency_key, "acknowledge", payload)) is not None:
        return get_alert(session=session, alert_id=done)
    alert = get_alert(session=session, alert_id=alert_id)
    if alert.resolved_at is not None and alert.acknowledged_at is None:
        raise InvalidState(
            f"Peringatan #{alert_id} sudah tertutup otomatis karena keadaannya pulih; "
            "tidak perlu ditandai."
        )
    if alert.acknowledged_at is None:
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by = user_id
        session.add(alert)
        session.flush()
    idempotency.remember(session, idempotency_key, "acknowledge", payload, alert.id)
    return alert
