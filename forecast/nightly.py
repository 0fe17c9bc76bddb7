"""The alert pipeline (``blangko alerts run`` and the nightly job): evaluate alerts from
the latest forecasts and the records, build the reallocation plan, queue the e-mails,
and send what the outbox holds. The morning report check runs it for ``report_missing``
alone, without the plan."""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from blangko import notifications
from blangko.db import get_engine, session_scope
from blangko.fmt import number
from blangko.models import AlertKind, AlertSeverity, Office, ReallocationPlan, utcnow
from blangko.offices import NATIONAL, local_today
from blangko.stock import office_stock
from forecast import alert_store, alerts, plans
from forecast.alert_rules import work_list
from forecast.national_view import digest_sentence

DIGEST_TOP = 10
NOTIFY = {AlertSeverity.warning, AlertSeverity.critical}
# Alerts about how an office itself works go to its province's officers (and to planners
# in the digest), not to the office.
OVERSIGHT = {AlertKind.stock_backlog_mismatch}


@dataclass(frozen=True)
class PipelineSummary:
    opened: int
    updated: int
    resolved: int
    open_total: int
    plan_id: int | None
    plan_lines: int
    plan_moved: int
    plan_coverage: float | None
    emails_queued: int
    emails_sent: int
    emails_waiting: int
    seconds: float
    planned: bool = True

    def line(self) -> str:
        if self.plan_id:
            plan = (
                f"plan #{self.plan_id}: {self.plan_lines} shipments, "
                f"{number(self.plan_moved)} blanks, "
                f"{number((self.plan_coverage or 0) * 100)}% of deficits covered"
            )
        elif self.planned:
            plan = "no plan (no forecasts yet)"
        else:
            plan = "plan not rebuilt"
        return (
            f"Alerts: {self.opened} opened, {self.updated} updated, {self.resolved} resolved, "
            f"{self.open_total} open; {plan}; e-mails: {self.emails_queued} queued, "
            f"{self.emails_sent} sent, {self.emails_waiting} waiting ({self.seconds:.1f} s)."
        )


def queue_alert_emails(*, session: Session, outcome: alert_store.Outcome, now: datetime) -> int:
    """One e-mail per office whose warning or critical alerts are new or got worse; it
    lists all the office's open alerts. ``OVERSIGHT`` alerts go to the officers of the
    office's province instead, one e-mail each."""
    news: dict[str, set[str]] = {}
    oversight = []
    for alert in [*outcome.opened, *outcome.escalated]:
        if alert.severity not in NOTIFY or alert.office_code == NATIONAL:
            continue
        if alert.kind in OVERSIGHT:
            oversight.append(alert)
        else:
            news.setdefault(alert.office_code, set()).add(str(alert.kind))
    queued = 0
    for alert in oversight:
        office = session.get_one(Office, alert.office_code)
        province = session.get(Office, office.parent_code) if office.parent_code else None
        if province is not None and notifications.queue_oversight_alert(
            session=session,
            province=province,
            office=office,
            alert=alert,
            on=local_today(office, now),
        ):
            queued += 1
    for code, kinds in sorted(news.items()):
        office = session.get_one(Office, code)
        open_alerts = [
            a
            for a in alert_store.list_alerts(session=session, office_codes=[code], status="open")
            if a.kind not in OVERSIGHT
        ]
        if notifications.queue_office_alerts(
            session=session,
            office=office,
            alerts=open_alerts,
            on=local_today(office, now),
            topic="+".join(sorted(kinds)),
        ):
            queued += 1
    return queued


def queue_planner_digest(*, session: Session, plan: ReallocationPlan | None, now: datetime) -> int:
    """The planners' daily digest: the open alerts as the alert page groups them
    (bertindak hari ini / minggu ini / pantau, most urgent first, counts on top), the
    plan waiting for approval, and when the next procurement tranche must be ordered
    within 30 days, the national forecast's sentence saying so."""
    open_alerts = alert_store.list_alerts(session=session, status="open", limit=100_000)
    counts = Counter(a.kind for a in open_alerts)
    groups = work_list(open_alerts)
    shown = [a for g in groups for a in g.alerts[:DIGEST_TOP]]
    names = {
        o.code: o.name
        for o in session.exec(
            select(Office).where(col(Office.code).in_({a.office_code for a in shown}))
        ).all()
    }
    national = session.get_one(Office, NATIONAL)
    lines = len(plans.plan_lines(session=session, plan_id=plan.id)) if plan and plan.id else 0
    today = local_today(national, now)
    message = notifications.queue_digest(
        session=session,
        on=today,
        procurement=digest_sentence(session=session, today=today),
        ditjen_stock=office_stock(session=session, office_code=NATIONAL).on_hand,
        open_alerts=len(open_alerts),
        at_risk_total=counts[AlertKind.stockout_risk],
        counts=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        groups=[
            {
                "label": group.label,
                "total": len(group.alerts),
                "rows": [
                    {
                        "code": a.office_code,
                        "name": names.get(a.office_code, a.office_code),
                        "kind": str(a.kind),
                        "message": a.message,
                    }
                    for a in group.alerts[:DIGEST_TOP]
                ],
            }
            for group in groups
        ],
        plan=(
            {
                "id": plan.id,
                "lines": lines,
                "total_moved": plan.total_moved,
                "coverage": plan.coverage,
            }
            if plan and lines
            else None
        ),
    )
    return 1 if message else 0


def run_alerts(
    engine: Engine | None = None,
    *,
    now: datetime | None = None,
    kinds: frozenset[AlertKind] = alerts.NIGHTLY_KINDS,
    with_plan: bool = True,
    send: bool = True,
) -> PipelineSummary:
    """Evaluates ``kinds`` (every kind but ``report_missing``, which is the morning
    check's), builds the plan, queues and sends e-mails, in that order; the alerts, plan
    and queued e-mails commit together before any e-mail is sent."""
    started = time.perf_counter()
    engine = engine or get_engine()
    now = now or utcnow()
    plan: ReallocationPlan | None = None
    with session_scope(engine) as session:
        outcome = alerts.evaluate(session=session, kinds=kinds, now=now)
        if with_plan:
            plan = plans.build_plan(session=session)
        queued = queue_alert_emails(session=session, outcome=outcome, now=now)
        if with_plan:
            queued += queue_planner_digest(session=session, plan=plan, now=now)
        open_total = len(alert_store.list_alerts(session=session, status="open", limit=100_000))
        plan_lines = (
            len(plans.plan_lines(session=session, plan_id=plan.id)) if plan and plan.id else 0
        )
    report = notifications.send_due(engine) if send else None
    return PipelineSummary(
        opened=len(outcome.opened),
        updated=len(outcome.updated),
        resolved=len(outcome.resolved),
        open_total=open_total,
        plan_id=plan.id if plan else None,
        plan_lines=plan_lines,
        plan_moved=plan.total_moved if plan else 0,
        plan_coverage=plan.coverage if plan else None,
        emails_queued=queued,
        emails_sent=report.sent if report else 0,
        emails_waiting=report.waiting if report else 0,
        seconds=time.perf_counter() - started,
        planned=with_plan,
    )
