"""The paperwork as files (issue 15): a shipment's BAST, an office's destruction record and
monthly report, the national monthly workbook. Each is read with the access rules of the
office's data (``blangko.access``)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlmodel import Session

from api.deps import CodePath, IdPath, SessionDep, UserDep, readable_office, require_visible
from api.downloads import file_response
from api.errors import problem_responses
from api.transaction import TransactionRoute, get_write_session
from blangko import access, fields, quotas
from blangko.documents import files
from blangko.documents.files import CSV, PDF, XLSX
from blangko.documents.handover import Signatory
from blangko.shipments import get_shipment

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1",
    tags=["documents"],
    responses=problem_responses(401, 403, 404, 422),
)

MonthPath = Annotated[
    str,
    Path(pattern=fields.MONTH_PATTERN, description="YYYY-MM", examples=["2026-11"]),
]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
Typed = Annotated[str, Query(max_length=120)]
ProvinceQuery = Annotated[
    str | None,
    Query(
        pattern=r"^(0[1-9]|[1-9][0-9])$",
        description="Only this province (two-digit Kemendagri code) and its offices",
        examples=["32"],
    ),
]
QUOTAS = (
    "The next three calendar months' forecast demand (after the current month, WIB) per "
    "province and per office (each Dinas provinsi among its kab/kota), from the offices' "
    "latest forecasts (days past their 90-day horizon repeat its last four weeks), with "
    "the rest of the current month, stock on hand, in transit, backlog and the shortfall "
    "(rest of month + three months + backlog − on hand − in transit, at least 0). "
    "`not_found` for a `province` that is not one."
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
    content = files.bast_pdf(
        session=session,
        shipment_id=shipment_id,
        issued_by=user.id,
        first=Signatory(sender_name, sender_nip, sender_position),
        second=Signatory(receiver_name, receiver_nip, receiver_position),
        place=place,
    )
    return file_response(content, PDF, f"bast-kiriman-{shipment_id}.pdf")


@router.get(
    "/offices/{code}/monthly/{month}.pdf",
    summary="Monthly report of an office, as PDF",
    description="Opening stock, procured, received, returned, dispatched, printed, spoiled "
    "(by cause), lost in delivery, stock-count adjustments and closing stock, which "
    "reconcile exactly with the stock card; backlog at month end, Suket, IKD activations "
    "and days out of stock. A province's report adds its kab/kota and their total. "
    "`validation_error` for a month that has not begun at the office.",
    response_class=Response,
    responses={200: {"content": {PDF: {}}}},
)
def get_monthly_pdf(
    code: CodePath, month: MonthPath, session: SessionDep, user: UserDep
) -> Response:
    office = readable_office(session, user, code)
    content = files.monthly_pdf(session=session, office=office, month=month)
    return file_response(content, PDF, f"laporan-bulanan-{code}-{month}.pdf")


@router.get(
    "/offices/{code}/monthly/{month}.xlsx",
    summary="Monthly report of an office, as an Excel workbook",
    description="The figures of the PDF, one row per office (a province: its Dinas, its "
    "kab/kota, and a sheet with their total); numbers as numbers, the month as a date.",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_monthly_xlsx(
    code: CodePath, month: MonthPath, session: SessionDep, user: UserDep
) -> Response:
    office = readable_office(session, user, code)
    content = files.monthly_xlsx(session=session, office=office, month=month)
    return file_response(content, XLSX, f"laporan-bulanan-{code}-{month}.xlsx")


@router.get(
    "/monthly/{month}.xlsx",
    summary="National monthly report, as an Excel workbook (planners)",
    description="Sheets `Kantor` (every office), `Provinsi` (each province: its Dinas and "
    "kab/kota) and `Nasional` (all offices), with the columns of the office report.",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_national_monthly_xlsx(month: MonthPath, session: SessionDep, user: UserDep) -> Response:
    access.require_central(user, "Laporan bulanan nasional")
    content = files.national_xlsx(session=session, month=month)
    return file_response(content, XLSX, f"laporan-bulanan-nasional-{month}.xlsx")


@router.get(
    "/offices/{code}/destruction/{month}.pdf",
    summary="Destruction record (berita acara pemusnahan) of a month, as PDF",
    description="The blanks the office spoiled in the month by cause (gagal cetak, gagal "
    "encode, rusak fisik, lainnya) from its daily reports, a day-by-day annex, and room for "
    "the witnesses' signatures.",
    response_class=Response,
    responses={200: {"content": {PDF: {}}}},
)
def get_destruction_pdf(
    code: CodePath, month: MonthPath, session: SessionDep, user: UserDep
) -> Response:
    office = readable_office(session, user, code)
    content = files.destruction_pdf(session=session, office=office, month=month)
    return file_response(content, PDF, f"pemusnahan-{code}-{month}.pdf")


@router.get(
    "/quotas.xlsx",
    summary="Province quotas for the next three months, as an Excel workbook (planners)",
    description=QUOTAS + " Sheets `Provinsi` and `Kabupaten-Kota`; numbers as numbers.",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_quotas_xlsx(session: SessionDep, user: UserDep, province: ProvinceQuery = None) -> Response:
    access.require_central(user, "Kuota provinsi")
    content = files.quotas_xlsx(session=session, province=province)
    name = quotas.file_name(session=session, extension="xlsx", province=province)
    return file_response(content, XLSX, name)


@router.get(
    "/quotas.csv",
    summary="Province quotas for the next three months, as CSV (planners)",
    description=QUOTAS + " One file: each province's total (`Tingkat` provinsi) followed by "
    "its offices (`Tingkat` kantor); UTF-8 with BOM, separated by semicolons.",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_quotas_csv(session: SessionDep, user: UserDep, province: ProvinceQuery = None) -> Response:
    access.require_central(user, "Kuota provinsi")
    content = files.quotas_csv(session=session, province=province)
    name = quotas.file_name(session=session, extension="csv", province=province)
    return file_response(content, CSV, name)
