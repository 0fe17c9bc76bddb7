"""Pages of what the scheduled jobs produce: alerts (with acknowledge), the reallocation
plan (with approve), forecast runs and the e-mail outbox."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from blangko import forecasts, notifications
from blangko.access import office_scope, require_central, require_visible, writable_office
from blangko.errors import DomainError, NotFound
from blangko.models import AlertKind, ForecastRun
from blangko.offices import planner_today, reading_zone
from forecast import alert_store, national_view, plans
from forecast.alert_rules import work_list
from forecast.replay import latest_evaluation
from web.deps import IdPath, PageRoute, SessionDep, UserDep, check_csrf, web_actor
from web.templating import done, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE = "Halaman ini"
ALERT_LABELS = {
    AlertKind.stockout_risk: "Risiko stok habis",
    AlertKind.national_shortage: "Stok nasional menipis",
    AlertKind.backlog_high: "Backlog tinggi",
    AlertKind.shipment_overdue: "Kiriman terlambat",
    AlertKind.delivery_shortfall: "Kiriman kurang",
    AlertKind.report_missing: "Laporan harian belum masuk",
    AlertKind.surplus: "Stok berlebih",
    AlertKind.stock_backlog_mismatch: "Antrean naik, stok ada",
}


@router.get("/peringatan")
def alerts_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    """Open alerts as a work list (bertindak hari ini / minggu ini / pantau, most urgent
    first, counts on top); resolved ones newest first below."""
    status = request.query_params.get("status", "open")
    status = status if status in ("open", "resolved", "all") else "open"
    kind = request.query_params.get("jenis") or None
    offices = office_scope(session, user)
    of_kind = AlertKind(kind) if kind and kind in AlertKind.__members__ else None
    groups = (
        work_list(
            alert_store.list_alerts(
                session=session, office_codes=offices, kind=of_kind, status="open", limit=100_000
            )
        )
        if status in ("open", "all")
        else []
    )
    resolved = (
        alert_store.list_alerts(
            session=session, office_codes=offices, kind=of_kind, status="resolved", limit=300
        )
        if status in ("resolved", "all")
        else []
    )
    return render(
        request,
        "jobs/alerts.html",
        {
            "groups": groups,
            "resolved": resolved,
            "status": status,
            "kind": kind or "",
            "labels": ALERT_LABELS,
            "zone": reading_zone(session=session, user=user),
        },
    )


@router.post("/peringatan/{alert_id}/tandai", dependencies=[Depends(check_csrf)])
def acknowledge(request: Request, alert_id: IdPath, user: UserDep, session: SessionDep) -> Response:
    alert = alert_store.get_alert(session=session, alert_id=alert_id)
    # The API's rule: another office's alert is not found; one the user may only read is
    # refused (a provincial officer reads its kab/kota's alerts, acknowledges its own).
    require_visible(session, user, [alert.office_code], f"Peringatan #{alert_id} tidak ditemukan.")
    writable_office(session, user, alert.office_code)
    try:
        with session.begin_nested():
            alert_store.acknowledge(session=session, alert_id=alert_id, user_id=user.id)
        message = f"Peringatan #{alert_id} ditandai sudah ditangani"
    except DomainError as error:
        message = error.message
    return done(request, "/peringatan", message)


@router.get("/rencana")
def plan_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
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
        },
    )


@router.post("/rencana/{plan_id}/setujui", dependencies=[Depends(check_csrf)])
def approve_plan(request: Request, plan_id: IdPath, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    _, sent = plans.approve_plan(session=session, plan_id=plan_id, actor=web_actor(user))
    return done(request, "/rencana", f"Rencana #{plan_id} disetujui: {len(sent)} kiriman dibuat")


@router.get("/prakiraan")
def runs_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    runs = session.exec(select(ForecastRun).order_by(col(ForecastRun.id).desc()).limit(20)).all()
    return render(
        request,
        "jobs/runs.html",
        {
            "runs": runs,
            "national": forecasts.latest_results(session=session, office_codes=["00"]).get("00"),
            "evaluation": latest_evaluation(session=session),
            **national_context(session),
        },
    )


def national_context(session: Session) -> dict[str, object]:
    """What the section "Prakiraan nasional 12 bulan" shows (jobs/_national.html)."""
    latest = national_view.latest_current(session=session)
    if latest is None:
        return {"national_forecast": None}
    found, result = latest
    return {
        "national_forecast": found,
        "national_result": result,
        "national_sentence": national_view.sentence(result, planner_today()),
        "national_stock_sentence": national_view.stock_sentence(result),
        "national_months": national_view.month_rows(result),
        "model_labels": national_view.MODEL_LABELS,
    }


@router.post("/prakiraan/jalankan", dependencies=[Depends(check_csrf)])
def start_run(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    from forecast.runner import RunSettings, start_in_background
    from forecast.runs import queue_run

    try:
        with session.begin_nested():
            run, _ = queue_run(session=session, settings=RunSettings(), requested_by=user.id)
    except DomainError as error:
        return done(request, "/prakiraan", error.message)
    session.commit()  # the background process must see the queued run (as the API does)
    start_in_background(run.id or 0)
    return done(request, "/prakiraan", f"Prakiraan #{run.id} dimulai")


@router.get("/kotak-keluar")
def outbox_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    messages = notifications.list_messages(session=session, limit=200)
    return render(request, "jobs/outbox.html", {"messages": messages})
