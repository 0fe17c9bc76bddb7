"""The paperwork as files (issue 15): a shipment's BAST, an office's destruction record and
monthly report, the national monthly workbook. Each is read with the access rules of the
office's data (``blangko.access``)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel import Session

from api.deps import IdPath, UserDep, require_visible
from api.errors import problem_responses
from api.transaction import TransactionRoute, get_write_session
from blangko.documents import handover, render
from blangko.documents.handover import Signatory
from blangko.shipments import get_shipment

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1",
    tags=["documents"],
    responses=problem_responses(401, 403, 404, 422),
)

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
Typed = Annotated[str, Query(max_length=120)]


def file_response(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get(
    "/shipments/{shipment_id}/bast.pdf",
    summary="Handover record (BAST) of a received shipment, as PDF",
    description="Berita Acara Serah Terima: number (the receiving office's pattern, given "
    "once, the first time the BAST is made), date and place, Pihak Pertama (sender) and "
    "Pihak Kedua (receiver) with name, NIP and jabatan, quantities dispatched and received, "
    "the shortfall and its reason, the letter it answers. Names not given come from the "
    "users' profiles. `invalid_state` (409) while the shipment is not received.",
    response_class=Response,
    responses={200: {"content": {PDF: {}}}, **problem_responses(409)},
)
def get_bast_pdf(
    shipment_id: IdPath,
    session: WriteSessionDep,
    user: UserDep,
    place: Typed = "",
    sender_name: Typed = "",
    sender_nip: Annotated[str, Query(max_length=18)] = "",
    sender_position: Typed = "",
    receiver_name: Typed = "",
    receiver_nip: Annotated[str, Query(max_length=18)] = "",
    receiver_position: Typed = "",
) -> Response:
    shipment = get_shipment(session=session, shipment_id=shipment_id)
    missing = f"Kiriman #{shipment_id} tidak ditemukan."
    require_visible(session, user, [shipment.from_office, shipment.to_office], missing)
    bast = handover.handover(
        session=session,
        shipment_id=shipment_id,
        issued_by=user.id,
        first=Signatory(sender_name, sender_nip, sender_position),
        second=Signatory(receiver_name, receiver_nip, receiver_position),
        place=place,
    )
    content = render.pdf("bast.html", {"bast": bast})
    return file_response(content, PDF, f"bast-kiriman-{shipment_id}.pdf")
