"""Alerts (peringatan) and reallocation plans (rencana realokasi): list and acknowledge
alerts; read the latest plan and approve it into shipments."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import col

from api.deps import (
    ActorDep,
    IdempotencyKey,
    IdPath,
    Limit,
    Offset,
    SessionDep,
    UserDep,
    office_scope,
    readable_office,
    require_central,
    require_visible,
)
from api.errors import problem_responses
from api.schemas import OFFICE_CODE, AlertStatus, Page
from api.transaction import TransactionRoute
from blangko import access, paging
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    Office,
    PlanStatus,
    ReallocationLine,
    ReallocationPlan,
    Shipment,
    ShipmentStatus,
)
from forecast import alert_store, plans

router = APIRouter(
    route_class=TransactionRoute, prefix="/api/v1", responses=problem_responses(401, 403, 422)
)


class AlertPublic(BaseModel):
    id: int
    office: str = Field(description="Kemendagri office code; `00` for national alerts")
    kind: AlertKind
    severity: AlertSeverity
    status: AlertStatus
    message: str = Field(description="What is wrong and what to do, in Bahasa Indonesia")
    details: dict[str, Any] = Field(
        description="The figures behind the alert; which ones depends on `kind` (for "
        "`stockout_risk`: `stockout_date`, `probability`, `days_of_cover`, …)"
    )
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: int | None


class AlertPage(Page):
    items: list[AlertPublic]


class ReallocationLinePublic(BaseModel):
    from_office: str
    to_office: str
    quantity: int
    cost: float = Field(description="Relative cost of the move (lateral < national < cross)")
    shipment_id: int | None = Field(description="Set once the approved line is dispatched")
    shipment_status: ShipmentStatus | None


class ReallocationPlanPublic(BaseModel):
    id: int
    status: PlanStatus
    created_at: datetime
    lead_time_days: int
    safety_days: int
    coverage: float = Field(
        description="Share of each short office's need the plan reaches (1 = every deficit met)"
    )
    total_deficit: int
    total_available: int
    total_moved: int
    total_cost: float
    forecast_run_id: int | None
    approved_at: datetime | None
    approved_by: int | None
    lines: list[ReallocationLinePublic]


def alert_public(alert: Alert) -> AlertPublic:
    assert alert.id is not None
    return AlertPublic(
        id=alert.id,
        office=alert.office_code,
        kind=alert.kind,
        severity=alert.severity,
        status=AlertStatus.open if alert.resolved_at is None else AlertStatus.resolved,
        message=alert.message,
        details=alert.details,
        opened_at=alert.opened_at,
        updated_at=alert.updated_at,
        resolved_at=alert.resolved_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
    )


@router.get(
    "/alerts",
    response_model=AlertPage,
    tags=["alerts"],
    summary="List alerts",
    description="Most recently updated first. Officers see only alerts of offices they may "
    "read; national alerts (`00`) are for planners and admins.",
)
def list_alerts(
    session: SessionDep,
    user: UserDep,
    office: str | None = Query(default=None, pattern=OFFICE_CODE, examples=["32.73"]),
    kind: AlertKind | None = Query(default=None),
    status: AlertStatus | None = Query(default=None),
    severity: AlertSeverity | None = Query(default=None),
    limit: Limit = paging.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> AlertPage:
    scope = office_scope(session, user)
    if office is not None:
        readable_office(session, user, office)
        scope = [office]
    page = alert_store.alert_page(
        session=session,
        office_codes=scope,
        kind=kind,
        status=status,
        severity=severity,
        offset=offset,
        limit=limit,
    )
    items = [alert_public(a) for a in page.items]
    return AlertPage(items=items, total=page.total, next=page.next)


@router.post(
    "/alerts/{alert_id}/ack",
    response_model=AlertPublic,
    tags=["alerts"],
    summary="Acknowledge an alert",
    description="Marks the alert as seen by someone who will act on it. Repeating it keeps "
    "the first acknowledgement. An officer acknowledges alerts of its own office.",
    responses=problem_responses(404, 409),
)
def acknowledge_alert(
    alert_id: IdPath, session: SessionDep, user: UserDep, idempotency_key: IdempotencyKey = None
) -> AlertPublic:
    alert = alert_store.get_alert(session=session, alert_id=alert_id)
    # Same answer as a missing alert: officers cannot probe other offices' alerts.
    require_visible(session, user, [alert.office_code], f"Peringatan #{alert_id} tidak ditemukan.")
    access.require_write(user, session.get_one(Office, alert.office_code))
    return alert_public(
        alert_store.acknowledge(
            session=session, alert_id=alert_id, user_id=user.id, idempotency_key=idempotency_key
        )
    )


def plan_public(
    session: SessionDep, plan: ReallocationPlan, scope: list[str] | None
) -> ReallocationPlanPublic:
    assert plan.id is not None
    lines: list[ReallocationLine] = plans.plan_lines(session=session, plan_id=plan.id)
    if scope is not None:
        lines = [x for x in lines if x.from_office in scope or x.to_office in scope]
    shipment_ids = [x.shipment_id for x in lines if x.shipment_id]
    statuses = dict(
        session.execute(
            sa.select(col(Shipment.id), col(Shipment.status)).where(
                col(Shipment.id).in_(shipment_ids)
            )
        ).all()
    )
    return ReallocationPlanPublic(
        id=plan.id,
        status=plan.status,
        created_at=plan.created_at,
        lead_time_days=plan.lead_time_days,
        safety_days=plan.safety_days,
        coverage=plan.coverage,
        total_deficit=plan.total_deficit,
        total_available=plan.total_available,
        total_moved=plan.total_moved,
        total_cost=plan.total_cost,
        forecast_run_id=plan.forecast_run_id,
        approved_at=plan.approved_at,
        approved_by=plan.approved_by,
        lines=[
            ReallocationLinePublic(
                from_office=x.from_office,
                to_office=x.to_office,
                quantity=x.quantity,
                cost=x.cost,
                shipment_id=x.shipment_id,
                shipment_status=statuses.get(x.shipment_id) if x.shipment_id else None,
            )
            for x in lines
        ],
    )


@router.get(
    "/reallocation-plans/latest",
    response_model=ReallocationPlanPublic,
    tags=["reallocation"],
    summary="The latest reallocation plan",
    description="The newest plan that is proposed or approved, with its lines. Officers see "
    "only the lines to or from offices they may read.",
    responses=problem_responses(404),
)
def get_latest_reallocation_plan(session: SessionDep, user: UserDep) -> ReallocationPlanPublic:
    plan = plans.latest_plan(session=session)
    return plan_public(session, plan, office_scope(session, user))


@router.post(
    "/reallocation-plans/{plan_id}/approve",
    response_model=ReallocationPlanPublic,
    tags=["reallocation"],
    summary="Approve a plan: dispatch its shipments",
    description="Planner or admin. Dispatches every line as a shipment (all or nothing; "
    "`insufficient_stock` when a donor's stock has changed since the plan). Approving an "
    "approved plan again returns it and dispatches nothing; a superseded plan is refused "
    "(`invalid_state`).",
    responses=problem_responses(404, 409),
)
def approve_reallocation_plan(
    plan_id: IdPath,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> ReallocationPlanPublic:
    require_central(user, "Menyetujui rencana realokasi")
    plan, _ = plans.approve_plan(
        session=session, plan_id=plan_id, actor=actor, idempotency_key=idempotency_key
    )
    return plan_public(session, plan, None)
