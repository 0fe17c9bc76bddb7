"""Pages of what the scheduled jobs produce: alerts (with acknowledge), the reallocation
plan (with approve), forecast runs and the e-mail outbox."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from blangko import forecasts
from blangko.access import CENTRAL
from blangko.errors import DomainError, NotFound
from blangko.models import AlertKind, ForecastRun, OutboxMessage, User
from blangko.offices import list_offices
from forecast import alerts, plans
from web.deps import check_csrf, current_user, db
from web.routes.office import web_actor
from web.routes.planner import central
from web.templating import done, render

router = APIRouter(include_in_schema=False)
ALERT_LABELS = {
    AlertKind.stockout_risk: "Risiko stok habis",
    AlertKind.national_shortage: "Stok nasional menipis",
    AlertKind.backlog_high: "Backlog tinggi",
    AlertKind.shipment_overdue: "Kiriman terlambat",
    AlertKind.delivery_shortfall: "Kiriman kurang",
    AlertKind.report_missing: "Laporan harian belum masuk",
    AlertKind.surplus: "Stok berlebih",
}


def _scope(session: Session, user: User) -> list[str] | None:
    """The offices whose alerts a user sees: all for planners, own office (and, for a
    province, its kab/kota) for officers."""
    if user.role in CENTRAL:
        return None
    return [
        o.code
        for o in list_offices(session=session)
        if o.code == user.office_code or o.parent_code == user.office_code
    ]


@router.get("/peringatan")
def alerts_page(
    request: Request,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    status = request.query_params.get("status", "open")
    kind = request.query_params.get("jenis") or None
    found = alerts.list_alerts(
        session=session,
        office_codes=_scope(session, user),
        kind=AlertKind(kind) if kind and kind in AlertKind.__members__ else None,
        status=status if status in ("open", "resolved") else None,
        limit=300,
    )
    return render(
        request,
        "jobs/alerts.html",
        {
            "alerts": found,
            "status": status,
            "kind": kind or "",
            "labels": ALERT_LABELS,
            "flash": request.query_params.get("pesan"),
        },
    )


@router.post("/peringatan/{alert_id}/tandai", dependencies=[Depends(check_csrf)])
def acknowledge(
    alert_id: int,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    alert = alerts.get_alert(session=session, alert_id=alert_id)
    scope = _scope(session, user)
    if scope is not None and alert.office_code not in scope:
        raise NotFound(f"Peringatan #{alert_id} tidak ditemukan.")
    try:
        alerts.acknowledge(session=session, alert_id=alert_id, user_id=user.id)
        message = f"Peringatan #{alert_id} ditandai sudah ditangani"
    except DomainError as error:
        session.rollback()
        message = error.message
    return done("/peringatan", message)


@router.get("/rencana")
def plan_page(
    request: Request,
    user: User = Depends(central),
    session: Session = Depends(db, scope="function"),
) -> Response:
    try:
        plan = plans.latest_plan(session=session)
    except NotFound as missing:
        return render(request, "jobs/plan.html", {"plan": None, "missing": missing.message})
    return render(
        request,
        "jobs/plan.html",
        {
            "plan": plan,
            "lines": plans.plan_lines(session=session, plan_id=plan.id or 0),
            "flash": request.query_params.get("pesan"),
        },
    )


@router.post("/rencana/{plan_id}/setujui", dependencies=[Depends(check_csrf)])
def approve_plan(
    plan_id: int, user: User = Depends(central), session: Session = Depends(db, scope="function")
) -> Response:
    _, sent = plans.approve_plan(session=session, plan_id=plan_id, actor=web_actor(user))
    return done("/rencana", f"Rencana #{plan_id} disetujui: {len(sent)} kiriman dibuat")


@router.get("/prakiraan")
def runs_page(
    request: Request,
    user: User = Depends(central),
    session: Session = Depends(db, scope="function"),
) -> Response:
    runs = session.exec(select(ForecastRun).order_by(col(ForecastRun.id).desc()).limit(20)).all()
    return render(
        request,
        "jobs/runs.html",
        {
            "runs": runs,
            "national": forecasts.latest_results(session=session, office_codes=["00"]).get("00"),
            "flash": request.query_params.get("pesan"),
        },
    )


@router.post("/prakiraan/jalankan", dependencies=[Depends(check_csrf)])
def start_run(
    request: Request,
    user: User = Depends(central),
    session: Session = Depends(db, scope="function"),
) -> Response:
    from forecast.runner import RunSettings, start_in_background
    from forecast.runs import queue_run

    try:
        run = queue_run(session=session, settings=RunSettings(), requested_by=user.id)
    except DomainError as error:
        session.rollback()
        return done("/prakiraan", error.message)
    session.commit()  # the background process must see the queued run
    start_in_background(run.id or 0)
    return done("/prakiraan", f"Prakiraan #{run.id} dimulai")


@router.get("/kotak-keluar")
def outbox_page(
    request: Request,
    user: User = Depends(central),
    session: Session = Depends(db, scope="function"),
) -> Response:
    messages = session.exec(
        select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(200)
    ).all()
    return render(request, "jobs/outbox.html", {"messages": messages})
