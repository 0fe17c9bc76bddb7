"""The planner's procurement page (pengadaan): tranches budgeted or ordered from the
producer, to add, mark ordered, cancel, or receive into national stock. Issue 13 item 2."""

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from blangko import overview, tranches
from blangko.access import require_central
from blangko.errors import DomainError, ValidationFailed
from blangko.models import TrancheStatus
from blangko.offices import planner_today
from forecast import national_view
from web import forms
from web.deps import FormDep, IdPath, PageRoute, SessionDep, UserDep, check_csrf, web_actor
from web.templating import done, refused, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PATH = "/pengadaan"
PAGE = "Halaman pengadaan"  # "… hanya dapat dilakukan oleh perencana pusat …"
# The buttons of a tranche's form (name="action").
ORDER, RECEIVE, CANCEL = "pesan", "terima", "batal"


def _context(session: Session) -> dict[str, Any]:
    coming = tranches.open_tranches(session=session)
    past = tranches.closed_tranches(session=session)
    return {
        "coming": coming,
        "past": past,
        "received": tranches.received_quantities(session=session, tranches=past),
        "coming_total": sum(t.quantity for t in coming),
        "national_stock": overview.national_stock(session=session),
        "today": planner_today(),
        **national_view.timing_context(session=session, today=planner_today()),
        "labels": tranches.LABELS,
        "form_key": secrets.token_urlsafe(16),  # a new tranche form sent twice writes once
        "values": {},
        "tranche_errors": {},
        "tranche_values": {},
        "action_error": None,
    }


@router.get(PATH)
def tranches_page(request: Request, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    return render(request, "planner/tranches.html", _context(session))


@router.post(PATH, dependencies=[Depends(check_csrf)])
def add_tranche(request: Request, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    require_central(user, PAGE)
    try:
        with session.begin_nested():
            tranche = tranches.record_tranche(
                session=session,
                quantity=forms.quantity(form, "quantity", "Jumlah blangko", minimum=1),
                expected_on=forms.day(form, "expected_on", "Perkiraan tiba"),
                reference=forms.reference(form, label="Nomor referensi"),
                status=forms.text(form, "status") or TrancheStatus.planned,
                note=forms.note(form),
                actor=web_actor(user),
                idempotency_key=forms.idempotency_key(form, user.id),
            )
    except DomainError as error:
        context = _context(session)
        context["form_key"] = forms.text(form, "idempotency_key") or context["form_key"]
        return refused(request, "planner/tranches.html", context, error, form)
    return done(request, PATH, f"Tahap pengadaan #{tranche.id} ({tranche.reference}) dicatat")


@router.post(PATH + "/{tranche_id}", dependencies=[Depends(check_csrf)])
def act_on_tranche(
    request: Request, tranche_id: IdPath, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    """One form per tranche; its button says what to do: mark ordered, receive, cancel."""
    require_central(user, PAGE)
    action = forms.text(form, "action")
    actor = web_actor(user)
    try:
        with session.begin_nested():
            key = forms.idempotency_key(form, user.id)
            if action == RECEIVE:
                tranche = tranches.receive(
                    session=session,
                    tranche_id=tranche_id,
                    received_on=forms.day(form, "received_on", "Tanggal terima"),
                    quantity=_received_quantity(form),
                    actor=actor,
                    idempotency_key=key,
                )
                message = f"Tahap #{tranche_id} diterima: masuk ke stok nasional"
            else:
                status = _new_status(action)
                tranche = tranches.change_status(
                    session=session,
                    tranche_id=tranche_id,
                    status=status,
                    reason=forms.note(form, "reason", "Alasan") if action == CANCEL else "",
                    actor=actor,
                    idempotency_key=key,
                )
                message = f"Tahap #{tranche_id} {tranches.LABELS[tranche.status]}"
    except DomainError as error:
        context = _context(session)
        if any(t.id == tranche_id for t in context["coming"]):  # said at its own form
            context["tranche_errors"] = {tranche_id: error.message}
            context["tranche_values"] = {tranche_id: dict(form)}
        else:  # received, cancelled or missing: said on top
            context["action_error"] = error.message
        return render(request, "planner/tranches.html", context, status_code=error.status)
    return done(request, PATH, message)


def _new_status(action: str) -> TrancheStatus:
    if action == ORDER:
        return TrancheStatus.ordered
    if action == CANCEL:
        return TrancheStatus.cancelled
    raise ValidationFailed("Pilih tindakan: tandai dipesan, terima, atau batalkan.")


def _received_quantity(form: FormData) -> int | None:
    """What arrived; left empty, the quantity planned."""
    if not forms.text(form, "quantity"):
        return None
    return forms.quantity(form, "quantity", "Jumlah diterima", minimum=1)
