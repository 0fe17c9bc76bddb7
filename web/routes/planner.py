"""Pages of the central planner: the national overview, allocation requests to decide,
and new shipments."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from blangko import ikd, overview, shipments
from blangko.access import require_central
from blangko.errors import DomainError
from blangko.models import Office, OfficeKind, RequestStatus
from blangko.offices import NATIONAL, get_office, list_offices, local_today
from web import forms, riskmap
from web.deps import FormDep, IdPath, PageRoute, SessionDep, UserDep, check_csrf, web_actor
from web.templating import done, refused, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE = "Halaman ini"  # what a refused officer reads: "Halaman ini hanya dapat …"
SORTS = {
    "kode": lambda r: r.code,
    "stok": lambda r: r.on_hand,
    "backlog": lambda r: -r.backlog,
    "cakupan": lambda r: (r.days_of_cover is None, r.days_of_cover or 0),
    "habis": lambda r: (r.stockout_date is None, r.stockout_date),
    "risiko": lambda r: -(r.stockout_probability_30 or 0),
    "ikd": lambda r: (r.ikd_share_90d is None, r.ikd_share_90d or 0),
}
IKD_BELOW = "di-bawah-50"  # the filter "di bawah 50 %" (blangko.ikd.TARGET)


@router.get("/nasional")
def national(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    rows = overview.national_overview(session=session)
    national_row = next(r for r in rows if r.code == NATIONAL)
    offices = [r for r in rows if r.kind in (OfficeKind.kabupaten, OfficeKind.kota)]
    province = request.query_params.get("provinsi") or ""
    risk = request.query_params.get("risiko") or ""
    sort = request.query_params.get("urut") or "risiko"
    below = request.query_params.get("ikd") == IKD_BELOW
    shown = [
        r
        for r in offices
        if (not province or r.province_code == province)
        and (not risk or r.risk == risk)
        and (not below or ikd.below_target(r.ikd_share_90d))
    ]
    shown.sort(key=SORTS.get(sort, SORTS["risiko"]))
    return render(
        request,
        "planner/national.html",
        {
            "national": national_row,
            "rows": shown,
            "total_backlog": sum(r.backlog for r in offices),
            "office_stock": sum(r.on_hand for r in offices),
            "at_risk": sum(1 for r in offices if r.risk == "high"),
            "provinces": [
                o for o in list_offices(session=session) if o.kind is OfficeKind.province
            ],
            "province": province,
            "risk": risk,
            "sort": sort,
            "ikd_below": below,
            "ikd_filter": IKD_BELOW,
            "sorts": list(SORTS),
            "risk_map": riskmap.risk_map(offices, request.query_params.get("peta") or ""),
            "map_links": riskmap.view_links(request.query_params),
        },
    )


def _requests_context(session: Session) -> dict[str, Any]:
    pending = shipments.list_requests(session=session, status=RequestStatus.pending)
    asking = [get_office(session=session, code=c) for c in sorted({r.office_code for r in pending})]
    return {
        "pending": pending,
        # Each asking office's IKD compliance, read beside its request (Rakernas 2023).
        "ikd": ikd.compliance(session=session, offices=asking, since_january=True),
        "decided": [
            r
            for r in shipments.list_requests(session=session, limit=30)
            if r.status is not RequestStatus.pending
        ],
        "national_stock": overview.national_stock(session=session),
        "default_expected": (
            local_today(get_office(session=session, code=NATIONAL)) + timedelta(days=3)
        ).isoformat(),
        "errors": {},
        "values": {},
    }


@router.get("/permintaan")
def requests_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    return render(request, "planner/requests.html", _requests_context(session))


@router.post("/permintaan/{request_id}", dependencies=[Depends(check_csrf)])
def decide_request(
    request: Request, request_id: IdPath, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    require_central(user, PAGE)
    try:
        with session.begin_nested():
            if forms.text(form, "decision") == "tolak":
                shipments.reject_allocation(
                    session=session,
                    request_id=request_id,
                    reason=forms.note(form, "reason", "Alasan penolakan"),
                    actor=web_actor(user),
                )
                message = f"Permintaan #{request_id} ditolak"
            else:
                _, shipment = shipments.approve_allocation(
                    session=session,
                    request_id=request_id,
                    quantity=forms.quantity(form, "quantity", "Jumlah disetujui", minimum=1),
                    expected_on=forms.day(form, "expected_on", "Perkiraan tiba"),
                    actor=web_actor(user),
                )
                message = f"Permintaan #{request_id} disetujui: kiriman #{shipment.id}"
    except DomainError as error:
        context = _requests_context(session)
        context["errors"] = {request_id: error.message}
        context["values"] = {request_id: dict(form)}
        return render(request, "planner/requests.html", context, status_code=error.status)
    return done(request, "/permintaan", message)


def _shipment_context(session: Session, office: Office) -> dict[str, Any]:
    today = local_today(office)
    return {
        "offices": list_offices(session=session),
        "today": today,
        "default_expected": today + timedelta(days=3),
        "values": {},
    }


@router.get("/kiriman/baru")
def shipment_form(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    context = _shipment_context(session, get_office(session=session, code=NATIONAL))
    return render(request, "planner/shipment.html", context)


@router.post("/kiriman/baru", dependencies=[Depends(check_csrf)])
def create_shipment(
    request: Request, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    require_central(user, PAGE)
    try:
        with session.begin_nested():
            shipment = shipments.dispatch(
                session=session,
                from_office=forms.text(form, "from_office"),
                to_office=forms.text(form, "to_office"),
                quantity=forms.quantity(form, "quantity", "Jumlah blangko", minimum=1),
                expected_on=forms.day(form, "expected_on", "Perkiraan tiba"),
                reference=forms.reference(form),
                actor=web_actor(user),
                idempotency_key=forms.idempotency_key(form, user.id),
            )
    except DomainError as error:
        context = _shipment_context(session, get_office(session=session, code=NATIONAL))
        return refused(request, "planner/shipment.html", context, error, form)
    message = f"Kiriman #{shipment.id} dikirim ke {shipment.to_office}"
    return done(request, "/kiriman/baru", message)
