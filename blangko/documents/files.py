"""Each document as the bytes of its file, for the API and the pages alike: gather (the
modules beside this one), then render (``render``, ``workbook``)."""

import io
from datetime import date

from sqlmodel import Session, col, select

from blangko import csvfile, quotas
from blangko.documents import destruction, handover, monthly, render, workbook
from blangko.documents.handover import Signatory
from blangko.errors import ValidationFailed
from blangko.fmt import month as month_name
from blangko.models import Office, OfficeKind
from blangko.months import month_end
from blangko.offices import NATIONAL, local_today

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def bast_pdf(
    *,
    session: Session,
    shipment_id: int,
    issued_by: int | None,
    first: Signatory | None = None,
    second: Signatory | None = None,
    place: str = "",
) -> bytes:
    bast = handover.handover(
        session=session,
        shipment_id=shipment_id,
        issued_by=issued_by,
        first=first,
        second=second,
        place=place,
    )
    return render.pdf("bast.html", {"bast": bast})


def report_month(office: Office, text: str) -> date:
    """The month ``YYYY-MM`` of a report, not after the office's current month."""
    first = monthly.parse_month(text)
    today = local_today(office)
    if first > today.replace(day=1):
        raise ValidationFailed(
            f"Bulan {month_name(first)} belum tiba di {office.name}.", field="month"
        )
    return first


def office_rows(
    session: Session, office: Office, first: date
) -> tuple[monthly.MonthlyRow, list[monthly.MonthlyRow], monthly.MonthlyRow | None]:
    """The office's month; for a province also its kab/kota and the province's total."""
    if office.kind is not OfficeKind.province:
        return monthly.monthly_rows(session=session, month=first, offices=[office])[0], [], None
    children = list(
        session.exec(
            select(Office).where(Office.parent_code == office.code).order_by(col(Office.code))
        ).all()
    )
    rows = monthly.monthly_rows(session=session, month=first, offices=[office, *children])
    total = monthly.rollup(rows, office.code, f"Jumlah {office.name}", first)
    return rows[0], rows[1:], total


def monthly_pdf(*, session: Session, office: Office, month: str) -> bytes:
    first = report_month(office, month)
    row, children, total = office_rows(session, office, first)
    return render.pdf(
        "monthly.html",
        {
            "office": office,
            "row": row,
            "children": children,
            "total": total,
            "columns": monthly.COLUMNS,
            "last_day": month_end(first),
        },
    )


def monthly_xlsx(*, session: Session, office: Office, month: str) -> bytes:
    first = report_month(office, month)
    row, children, total = office_rows(session, office, first)
    sheets: list[tuple[str, list[monthly.MonthlyRow]]] = [("Kantor", [row, *children])]
    if total is not None:
        sheets.append(("Provinsi", [total]))
    return workbook.monthly_workbook(sheets)


def national_xlsx(*, session: Session, month: str) -> bytes:
    """Every office, every province (its Dinas and kab/kota) and the nation, one sheet
    each."""
    offices = monthly.report_offices(session)
    national = next(o for o in offices if o.code == NATIONAL)
    first = report_month(national, month)
    rows = monthly.monthly_rows(session=session, month=first, offices=offices)
    provinces = [o for o in offices if o.kind is OfficeKind.province]
    return workbook.monthly_workbook(
        [
            ("Kantor", rows),
            ("Provinsi", monthly.province_rollups(rows, provinces, first)),
            ("Nasional", [monthly.rollup(rows, NATIONAL, "Nasional", first)]),
        ]
    )


def destruction_pdf(*, session: Session, office: Office, month: str) -> bytes:
    """The berita acara pemusnahan of the month's spoiled blanks."""
    first = report_month(office, month)
    record = destruction.destruction(
        session=session, office=office, date_from=first, date_to=month_end(first)
    )
    return render.pdf("destruction.html", {"record": record, "causes": destruction.CAUSES})


def quotas_xlsx(*, session: Session, province: str | None = None) -> bytes:
    """The province quotas: sheets ``Provinsi`` and ``Kabupaten-Kota`` (each Dinas
    provinsi among its kab/kota)."""
    table = quotas.quota_table(session=session, province=province)
    return workbook.table_workbook(
        [
            (
                "Provinsi",
                table.province_headers(),
                [quotas.province_cells(p.total) for p in table.provinces],
            ),
            (
                "Kabupaten-Kota",  # Excel refuses "/" in a sheet name
                table.office_headers(),
                [quotas.office_cells(row) for row in table.office_rows()],
            ),
        ]
    )


def quotas_csv(*, session: Session, province: str | None = None) -> bytes:
    """The province quotas in one file: each province's total (``Tingkat`` provinsi), then
    its offices (``Tingkat`` kantor), with the columns of the kab/kota sheet."""
    table = quotas.quota_table(session=session, province=province)
    buffer = io.StringIO()
    buffer.write(csvfile.BOM)
    writer = csvfile.writer(buffer)
    writer.writerow(["Tingkat", *table.office_headers()])
    for province_quota in table.provinces:
        writer.writerow(
            ["provinsi", *quotas.office_cells(province_quota.total, quotas.PROVINCE_TOTAL)]
        )
        writer.writerows(["kantor", *quotas.office_cells(row)] for row in province_quota.offices)
    return buffer.getvalue().encode("utf-8")
