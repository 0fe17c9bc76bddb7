"""Reallocation plans (rencana realokasi): built from the latest forecasts and stock
positions with the solver in ``forecast.reallocation``, stored for the planner, and
turned into shipments on approval.

Approval is idempotent: each line is dispatched once (its shipment id is stored on the
line, and the dispatch carries a per-line idempotency key), so approving again returns
the same plan and shipments."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from blangko import idempotency, shipments
from blangko.errors import InvalidState, NotFound
from blangko.forecasts import latest_results
from blangko.ledger import Actor
from blangko.models import (
    Office,
    OfficeKind,
    PlanStatus,
    ReallocationLine,
    ReallocationPlan,
    Shipment,
    utcnow,
)
from blangko.offices import NATIONAL, WIB, local_today
from blangko.settings import get_settings
from blangko.stock import stock_positions
from forecast.alert_rules import need_over
from forecast.reallocation import Costs, OfficeNeed, solve
from forecast.resupply import lead_times_as_of

SAME_PROVINCE_TRANSIT_DAYS = 7


@dataclass(frozen=True)
class PlanInputs:
    offices: list[OfficeNeed]
    national_stock: int
    forecast_run_id: int | None


def gather_inputs(
    *, session: Session, horizon_days: int, horizons: Mapping[str, int] | None = None
) -> PlanInputs:
    """Each forecast office's need over its horizon (``horizons``, else ``horizon_days``)
    of forecast demand + backlog, its stock on hand and incoming shipments; offices
    without a forecast are left out."""
    results = latest_results(session=session)
    positions = stock_positions(session=session)
    offices = session.exec(select(Office).where(Office.kind != OfficeKind.national)).all()
    needs = []
    for office in offices:
        result = results.get(office.code)
        if result is None:
            continue
        position = positions[office.code]
        needs.append(
            OfficeNeed(
                code=office.code,
                province=office.province_code or office.code,
                need=round(
                    need_over(
                        result, (horizons or {}).get(office.code, horizon_days), position.backlog
                    )
                ),
                on_hand=position.on_hand,
                incoming=position.in_transit_in,
            )
        )
    run_ids = [r.run_id for r in results.values()]
    return PlanInputs(
        offices=needs,
        national_stock=positions[NATIONAL].on_hand if NATIONAL in positions else 0,
        forecast_run_id=max(run_ids) if run_ids else None,
    )


def build_plan(*, session: Session, costs: Costs = Costs()) -> ReallocationPlan | None:
    """Solves and stores a new proposed plan, superseding older proposed ones. None when
    there are no forecasts to plan from. Each office's need covers its learned p90 lead
    time + safety days (``BLANGKO_LEAD_TIME_DAYS`` where it has no history, which is the
    lead time the plan records)."""
    settings = get_settings()
    today = utcnow().astimezone(ZoneInfo(WIB)).date()
    horizons = {
        code: lead.p90 + settings.safety_days
        for code, lead in lead_times_as_of(session=session, as_of=today).items()
    }
    inputs = gather_inputs(
        session=session,
        horizon_days=settings.lead_time_days + settings.safety_days,
        horizons=horizons,
    )
    if not inputs.offices:
        return None
    solution = solve(inputs.offices, inputs.national_stock, costs)
    for old in session.exec(
        select(ReallocationPlan).where(ReallocationPlan.status == PlanStatus.proposed)
    ).all():
        old.status = PlanStatus.superseded
        session.add(old)
    plan = ReallocationPlan(
        status=PlanStatus.proposed,
        lead_time_days=settings.lead_time_days,
        safety_days=settings.safety_days,
        coverage=round(solution.coverage, 4),
        total_deficit=solution.total_deficit,
        total_available=solution.total_available,
        total_moved=solution.total_moved,
        total_cost=solution.total_cost,
        forecast_run_id=inputs.forecast_run_id,
    )
    session.add(plan)
    session.flush()
    assert plan.id is not None
    session.add_all(
        ReallocationLine(
            plan_id=plan.id,
            from_office=move.source,
            to_office=move.target,
            quantity=move.quantity,
            cost=move.cost,
        )
        for move in solution.moves
    )
    session.flush()
    return plan


def latest_plan(*, session: Session) -> ReallocationPlan:
    plan = session.exec(
        select(ReallocationPlan)
        .where(ReallocationPlan.status != PlanStatus.superseded)
        .order_by(col(ReallocationPlan.id).desc())
        .limit(1)
    ).first()
    if plan is None:
        raise NotFound(
            "Belum ada rencana realokasi. Jalankan 'blangko alerts run' atau tunggu jadwal malam."
        )
    return plan


def get_plan(*, session: Session, plan_id: int, lock: bool = False) -> ReallocationPlan:
    query = select(ReallocationPlan).where(ReallocationPlan.id == plan_id)
    if lock:
        query = query.with_for_update()
    plan = session.exec(query).first()
    if plan is None:
        raise NotFound(f"Rencana realokasi #{plan_id} tidak ditemukan.")
    return plan


def plan_lines(*, session: Session, plan_id: int) -> list[ReallocationLine]:
    return list(
        session.exec(
            select(ReallocationLine)
            .where(ReallocationLine.plan_id == plan_id)
            .order_by(col(ReallocationLine.to_office), col(ReallocationLine.from_office))
        ).all()
    )


def approve_plan(
    *,
    session: Session,
    plan_id: int,
    actor: Actor,
    today: date | None = None,
    idempotency_key: str | None = None,
) -> tuple[ReallocationPlan, list[Shipment]]:
    """Dispatches every line of a proposed plan (all or nothing). Approving an approved
    plan again returns its shipments and dispatches nothing."""
    payload = {"plan": plan_id}
    if (done := idempotency.replay(session, idempotency_key, "approve_plan", payload)) is not None:
        lines = plan_lines(session=session, plan_id=done)
        first = [session.get_one(Shipment, x.shipment_id) for x in lines if x.shipment_id]
        return get_plan(session=session, plan_id=done), first
    plan = get_plan(session=session, plan_id=plan_id, lock=True)
    if plan.status is PlanStatus.superseded:
        raise InvalidState(
            f"Rencana #{plan_id} sudah digantikan rencana yang lebih baru. Buka rencana "
            "terbaru dan setujui yang itu."
        )
    lines = plan_lines(session=session, plan_id=plan_id)
    sent: list[Shipment] = []
    for line in lines:
        if line.shipment_id is not None:
            sent.append(session.get_one(Shipment, line.shipment_id))
            continue
        sender = session.get_one(Office, line.from_office)
        receiver = session.get_one(Office, line.to_office)
        dispatched_on = today or local_today(sender)
        days = (
            SAME_PROVINCE_TRANSIT_DAYS
            if line.from_office != NATIONAL and sender.province_code == receiver.province_code
            else plan.lead_time_days
        )
        shipment = shipments.dispatch(
            session=session,
            from_office=line.from_office,
            to_office=line.to_office,
            quantity=line.quantity,
            expected_on=dispatched_on + timedelta(days=days),
            dispatched_on=dispatched_on,
            reference=f"Realokasi #{plan.id}",
            note=f"Realokasi #{plan.id}: {line.quantity} blangko {line.from_office} → {line.to_office}",
            actor=actor,
            idempotency_key=f"reallocation:{plan.id}:{line.id}",
        )
        line.shipment_id = shipment.id
        session.add(line)
        sent.append(shipment)
    if plan.status is PlanStatus.proposed:
        plan.status = PlanStatus.approved
        plan.approved_at = utcnow()
        plan.approved_by = actor.user_id
        session.add(plan)
    session.flush()
    idempotency.remember(session, idempotency_key, "approve_plan", payload, plan.id)
    return plan, sent
