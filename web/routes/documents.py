"""The paperwork on the office pages (issue 15): the "Dokumen" page of an office lists its
received shipments with their BAST (names, NIP and jabatan typed on the form, or from the
profiles) and each month's report and destruction record; planners also get the national
workbook. The files are those of the API (``blangko.documents.files``)."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from api.downloads import file_response
from api.transaction import get_write_session
from blangko import access, fields, fmt, shipments
from blangko.documents import files, handover
from blangko.documents.files import PDF, XLSX
from blangko.documents.handover import Signatory
from blangko.fields import MAX_ID
from blangko.models import Office, User
from blangko.offices import local_today
from web.deps import PageRoute, SessionDep, UserDep
from web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
MONTHS_LISTED = 12
MonthPath = Annotated[str, Path(pattern=fields.MONTH_PATTERN)]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
Typed = Annotated[str, Query(max_length=120)]


def recent_months(office: Office) -> list[tuple[str, str]]:
    """The office's last months, newest first: ``("2026-11", "November 2026")``."""
    first = local_today(office).replace(day=1)
    months = []
    for _ in range(MONTHS_LISTED):
        months.append((f"{first:%Y-%m}", fmt.month(first)))
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def _page_context(session: Session, user: User, office: Office) -> dict[str, Any]:
    return {
        "office": office,
        "received": shipments.received_by(session=session, office_code=office.code),
        "me": handover.profile_signatory(user),
        "months": recent_months(office),
        "central": user.role in access.CENTRAL,
    }


@router.get("/kantor/{code}/dokumen")
def documents_page(
    request: Request,
    code: str,
    user: UserDep,
    session: SessionDep,
    kiriman: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    office = access.readable_office(session, user, code)
    context = _page_context(session, user, office)
    context["chosen"] = kiriman  # the shipment a link from the dashboard asks about
    return render(request, "office/documents.html", context)


@router.get("/kantor/{code}/bast.pdf")
def bast(
    code: str,
    user: UserDep,
    session: WriteSessionDep,
    kiriman: Annotated[int, Query(ge=1, le=MAX_ID)],
    tempat: Typed = "",
    nama1: Typed = "",
    nip1: Annotated[str, Query(max_length=18)] = "",
    jabatan1: Typed = "",
    nama2: Typed = "",
    nip2: Annotated[str, Query(max_length=18)] = "",
    jabatan2: Typed = "",
) -> Response:
    access.readable_office(session, user, code)
    shipment = shipments.get_shipment(session=session, shipment_id=kiriman)
    missing = f"Kiriman #{kiriman} tidak ditemukan."
    access.require_visible(session, user, [shipment.from_office, shipment.to_office], missing)
    content = files.bast_pdf(
        session=session,
        shipment_id=kiriman,
        issued_by=user.id,
        first=Signatory(nama1, nip1, jabatan1),
        second=Signatory(nama2, nip2, jabatan2),
        place=tempat,
    )
    return file_response(content, PDF, f"bast-kiriman-{kiriman}.pdf", "attachment")


@router.get("/kantor/{code}/bulanan/{month}.pdf")
def monthly_pdf(code: str, month: MonthPath, user: UserDep, session: SessionDep) -> Response:
    office = access.readable_office(session, user, code)
    content = files.monthly_pdf(session=session, office=office, month=month)
    return file_response(content, PDF, f"laporan-bulanan-{code}-{month}.pdf", "attachment")


@router.get("/kantor/{code}/bulanan/{month}.xlsx")
def monthly_xlsx(code: str, month: MonthPath, user: UserDep, session: SessionDep) -> Response:
    office = access.readable_office(session, user, code)
    content = files.monthly_xlsx(session=session, office=office, month=month)
    return file_response(content, XLSX, f"laporan-bulanan-{code}-{month}.xlsx", "attachment")


@router.get("/kantor/{code}/pemusnahan/{month}.pdf")
def destruction_pdf(code: str, month: MonthPath, user: UserDep, session: SessionDep) -> Response:
    office = access.readable_office(session, user, code)
    content = files.destruction_pdf(session=session, office=office, month=month)
    return file_response(content, PDF, f"pemusnahan-{code}-{month}.pdf", "attachment")


@router.get("/nasional/bulanan/{month}.xlsx")
def national_xlsx(month: MonthPath, user: UserDep, session: SessionDep) -> Response:
    access.require_central(user, "Laporan bulanan nasional")
    content = files.national_xlsx(session=session, month=month)
    return file_response(content, XLSX, f"laporan-bulanan-nasional-{month}.xlsx", "attachment")
