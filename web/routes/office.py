"""Pages of one office (for its stock officer, and for planners drilling down):
dashboard with incoming shipments, daily report, stock card, stock count, requests."""

import io
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from blangko import csvfile, ikd, reports, shipments, stock
from blangko.access import readable_office, require_visible, writable_office
from blangko.errors import DomainError, ValidationFailed
from blangko.fields import DAILY_FIGURES, EARLIEST_DATE
from blangko.forecasts import latest_results
from blangko.history import daily_stock
from blangko.ledger import stock_card
from blangko.models import Office, ShipmentStatus
from blangko.offices import local_today
from forecast.resupply import lead_time_of
from web import forms
from web.deps import FormDep, IdPath, PageRoute, SessionDep, UserDep, check_csrf, web_actor
from web.templating import done, refused, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CHART_DAYS = 180
CARD_PAGE = 50
KIND_LABELS = {
    "procurement": "Pengadaan",
    "dispatch": "Kirim",
    "receipt": "Terima",
    "cancel": "Batal kirim",
    "daily_report": "Laporan harian",
    "stock_count": "Stock opname",
    "reversal": "Pembalikan",
}


def dashboard_context(session: Session, office: Office) -> dict[str, Any]:
    today = local_today(office)
    position = stock.office_stock(session=session, office_code=office.code)
    incoming = shipments.list_shipments(
        session=session, office_code=office.code, status=ShipmentStatus.in_transit
    )
    start = today - timedelta(days=CHART_DAYS - 1)
    levels = daily_stock(session=session, office_code=office.code, date_from=start, date_to=today)
    by_day = {
        r.report_date: r
        for r in reports.list_reports(
            session=session, office_code=office.code, date_from=start, date_to=today
        )
    }
    forecast = latest_results(session=session, office_codes=[office.code]).get(office.code)
    ahead = [p for p in (forecast.points if forecast else []) if p["date"] > today.isoformat()]
    chart = {
        "labels": [d.isoformat() for d, _ in levels],
        "stock": [level for _, level in levels],
        "demand": [by_day[d].print_requests if d in by_day else None for d, _ in levels],
        "printed": [by_day[d].printed if d in by_day else None for d, _ in levels],
    }
    return {
        "office": office,
        "today": today,
        "position": position,
        "incoming": [s for s in incoming if s.to_office == office.code],
        "outgoing": [s for s in incoming if s.from_office == office.code],
        # The latest receipts, each with its handover record (BAST) to print.
        "received": shipments.received_by(session=session, office_code=office.code, limit=3),
        "chart": chart,
        "forecast": forecast,
        "lead_time": lead_time_of(session=session, office_code=office.code, as_of=today),
        "ikd": ikd.compliance(session=session, offices=[office], since_january=True)[office.code],
        "forecast_chart": {
            "labels": [p["date"] for p in ahead],
            "mean": [p["demand_mean"] for p in ahead],
            "low": [p["demand_low"] for p in ahead],
            "high": [p["demand_high"] for p in ahead],
            "stock": [p["projected_stock"] for p in ahead],
        }
        if ahead
        else None,
        "receive_errors": {},
        "receive_values": {},
    }


@router.get("/kantor/{code}")
def dashboard(request: Request, code: str, user: UserDep, session: SessionDep) -> Response:
    office = readable_office(session, user, code)
    return render(request, "office/dashboard.html", dashboard_context(session, office))


@router.post("/kiriman/{shipment_id}/terima", dependencies=[Depends(check_csrf)])
def receive_shipment(
    request: Request, shipment_id: IdPath, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    shipment = shipments.get_shipment(session=session, shipment_id=shipment_id)
    missing = f"Kiriman #{shipment_id} tidak ditemukan."
    require_visible(session, user, [shipment.from_office, shipment.to_office], missing)
    office = writable_office(session, user, shipment.to_office)
    try:
        with session.begin_nested():
            full = forms.text(form, "mode") != "kurang"
            quantity = (
                shipment.quantity
                if full
                else forms.quantity(form, "received_quantity", "Jumlah diterima")
            )
            shipments.receive(
                session=session,
                shipment_id=shipment_id,
                received_quantity=quantity,
                received_on=forms.day(form, "received_on", "Tanggal terima"),
                shortfall_reason=forms.note(form, "shortfall_reason", "Alasan kekurangan"),
                actor=web_actor(user),
                idempotency_key=forms.idempotency_key(form, user.id),
            )
    except DomainError as error:
        context = dashboard_context(session, office)
        context["receive_errors"] = {shipment_id: error.message}
        context["receive_values"] = {shipment_id: dict(form)}
        return render(request, "office/dashboard.html", context, status_code=error.status)
    return done(request, f"/kantor/{office.code}", f"Kiriman #{shipment_id} diterima")


REPORT_FIELDS = [(f.name, f.label) for f in DAILY_FIGURES]


def _report_context(session: Session, office: Office, report_date: date) -> dict[str, Any]:
    today = local_today(office)
    return {
        "office": office,
        "today": today,
        "report_date": report_date,
        "fields": REPORT_FIELDS,
        "recent": reports.list_reports(
            session=session, office_code=office.code, date_from=today - timedelta(days=13)
        ),
    }


@router.get("/kantor/{code}/laporan")
def report_form(request: Request, code: str, user: UserDep, session: SessionDep) -> Response:
    office = readable_office(session, user, code)
    try:
        chosen = forms.optional_day(request.query_params, "tanggal", "Tanggal laporan")
    except DomainError as error:
        context = _report_context(session, office, local_today(office))
        return refused(request, "office/report.html", context, error, request.query_params)
    chosen = chosen or local_today(office)
    existing = reports.current_report(session=session, office_code=code, report_date=chosen)
    context = _report_context(session, office, chosen)
    context.update(
        existing=existing,
        values={f: getattr(existing, f) for f, _ in REPORT_FIELDS} if existing else {},
    )
    return render(request, "office/report.html", context)


@router.post("/kantor/{code}/laporan", dependencies=[Depends(check_csrf)])
def save_report(
    request: Request, code: str, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    office = writable_office(session, user, code)
    try:
        with session.begin_nested():
            report_date = forms.day(form, "report_date", "Tanggal laporan")
            figures = reports.DailyFigures(
                **{f: forms.quantity(form, f, label, default=0) for f, label in REPORT_FIELDS}
            )
            saved = reports.save_daily_report(
                session=session,
                office_code=code,
                report_date=report_date,
                figures=figures,
                actor=web_actor(user),
                note=forms.note(form),
            )
    except DomainError as error:
        try:
            typed = forms.optional_day(form, "report_date", "Tanggal laporan")
        except DomainError:
            typed = None
        context = _report_context(session, office, typed or local_today(office))
        return refused(request, "office/report.html", context, error, form)
    what = "dikoreksi" if saved.version > 1 else "disimpan"
    day = saved.report_date.isoformat()
    return done(request, f"/kantor/{code}/laporan", f"Laporan {day} {what}", tanggal=day)


def _card_range(request: Request, office: Office) -> tuple[date, date]:
    """The stock card's dates from the query (``dari``, ``sampai``); the last 30 days
    when they are left out."""
    query = request.query_params
    date_to = forms.optional_day(query, "sampai", "Tanggal sampai") or local_today(office)
    date_from = forms.optional_day(query, "dari", "Tanggal dari") or max(
        date_to - timedelta(days=30), EARLIEST_DATE
    )
    if date_from > date_to:
        raise ValidationFailed(
            "Tanggal 'dari' harus sama dengan atau sebelum tanggal 'sampai'.", field="dari"
        )
    return date_from, date_to


@router.get("/kantor/{code}/kartu-stok")
def card_page(request: Request, code: str, user: UserDep, session: SessionDep) -> Response:
    office = readable_office(session, user, code)
    try:
        date_from, date_to = _card_range(request, office)
    except DomainError as error:
        today = local_today(office)
        context = _card_context(session, office, today - timedelta(days=30), today, 1)
        return refused(request, "office/card.html", context, error, request.query_params)
    page = forms.page_number(request.query_params.get("halaman"))
    context = _card_context(session, office, date_from, date_to, page)
    return render(request, "office/card.html", context)


def _card_context(
    session: Session, office: Office, date_from: date, date_to: date, page: int
) -> dict[str, Any]:
    card = stock_card(
        session=session,
        office_code=office.code,
        date_from=date_from,
        date_to=date_to,
        offset=(page - 1) * CARD_PAGE,
        limit=CARD_PAGE,
    )
    return {
        "office": office,
        "card": card,
        "date_from": date_from,
        "date_to": date_to,
        "page": page,
        "pages": max(1, -(-card.total // CARD_PAGE)),
        "kinds": KIND_LABELS,
        "values": {},
    }


@router.get("/kantor/{code}/kartu-stok.csv")
def card_csv(request: Request, code: str, user: UserDep, session: SessionDep) -> Response:
    office = readable_office(session, user, code)
    date_from, date_to = _card_range(request, office)
    card = stock_card(
        session=session, office_code=code, date_from=date_from, date_to=date_to, limit=1_000_000
    )
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csvfile.writer(buffer, delimiter=";")
    writer.writerow(["tanggal", "mutasi", "jenis", "lawan", "masuk", "keluar", "saldo", "catatan"])
    writer.writerow([date_from.isoformat(), "", "saldo awal", "", "", "", card.opening_balance, ""])
    for line in card.lines:
        writer.writerow(
            [
                line.business_date.isoformat(),
                line.movement_id,
                KIND_LABELS.get(line.movement_kind.value, line.movement_kind.value),
                f"{line.counterparty} {line.counterparty_account}",
                line.quantity_in,
                line.quantity_out,
                line.balance,
                line.note,
            ]
        )
    name = f"kartu-stok-{code}-{date_from.isoformat()}-{date_to.isoformat()}.csv"
    return StreamingResponse(
        iter([buffer.getvalue()]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _count_context(session: Session, office: Office) -> dict[str, Any]:
    return {
        "office": office,
        "today": local_today(office),
        "position": stock.office_stock(session=session, office_code=office.code),
        "values": {},
    }


@router.get("/kantor/{code}/stock-opname")
def count_form(request: Request, code: str, user: UserDep, session: SessionDep) -> Response:
    context = _count_context(session, readable_office(session, user, code))
    return render(request, "office/count.html", context)


@router.post("/kantor/{code}/stock-opname", dependencies=[Depends(check_csrf)])
def save_count(
    request: Request, code: str, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    office = writable_office(session, user, code)
    try:
        with session.begin_nested():
            count = stock.record_stock_count(
                session=session,
                office_code=code,
                counted_quantity=forms.quantity(form, "counted_quantity", "Jumlah hasil hitung"),
                counted_on=forms.day(form, "counted_on", "Tanggal hitung"),
                note=forms.note(form),
                actor=web_actor(user),
            )
    except DomainError as error:
        return refused(request, "office/count.html", _count_context(session, office), error, form)
    difference = count.counted_quantity - count.book_quantity
    message = "sesuai buku" if difference == 0 else f"selisih {difference:+d} dicatat"
    return done(request, f"/kantor/{code}/stock-opname", f"Stock opname disimpan: {message}")


def _requests_context(session: Session, office: Office) -> dict[str, Any]:
    return {
        "office": office,
        "requests": shipments.list_requests(session=session, office_code=office.code, limit=50),
        "values": {},
    }


@router.get("/kantor/{code}/permintaan")
def request_page(request: Request, code: str, user: UserDep, session: SessionDep) -> Response:
    context = _requests_context(session, readable_office(session, user, code))
    return render(request, "office/requests.html", context)


@router.post("/kantor/{code}/permintaan", dependencies=[Depends(check_csrf)])
def create_request(
    request: Request, code: str, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    office = writable_office(session, user, code)
    try:
        with session.begin_nested():
            created = shipments.request_allocation(
                session=session,
                office_code=code,
                quantity=forms.quantity(form, "quantity", "Jumlah permintaan", minimum=1),
                reference=forms.reference(form),
                note=forms.note(form),
                actor=web_actor(user),
            )
    except DomainError as error:
        context = _requests_context(session, office)
        return refused(request, "office/requests.html", context, error, form)
    return done(request, f"/kantor/{code}/permintaan", f"Permintaan #{created.id} dikirim")
