"""Pages of one office (for its stock officer, and for planners drilling down):
dashboard with incoming shipments, daily report, stock card, stock count, requests."""

import io
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from blangko import csvfile, reports, shipments, stock
from blangko.access import require_read, require_write
from blangko.errors import DomainError
from blangko.forecasts import latest_results
from blangko.history import daily_stock
from blangko.ledger import Actor, stock_card
from blangko.models import Office, ShipmentStatus, Source, User
from blangko.offices import get_office, local_today
from web import forms
from web.deps import check_csrf, current_user, db
from web.templating import done, refused, render

router = APIRouter(include_in_schema=False)
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


def web_actor(user: User) -> Actor:
    return Actor(user_id=user.id, source=Source.web)


def readable_office(session: Session, user: User, code: str) -> Office:
    office = get_office(session=session, code=code)
    require_read(user, office)
    return office


def writable_office(session: Session, user: User, code: str) -> Office:
    office = get_office(session=session, code=code)
    require_write(user, office)
    return office


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
        "chart": chart,
        "forecast": forecast,
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
def dashboard(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    office = readable_office(session, user, code)
    context = dashboard_context(session, office)
    context["flash"] = request.query_params.get("pesan")
    return render(request, "office/dashboard.html", context)


@router.post("/kiriman/{shipment_id}/terima", dependencies=[Depends(check_csrf)])
async def receive_shipment(
    request: Request,
    shipment_id: int,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    form = await request.form()
    shipment = shipments.get_shipment(session=session, shipment_id=shipment_id)
    office = writable_office(session, user, shipment.to_office)
    try:
        full = forms.text(form, "mode") != "kurang"
        quantity = (
            shipment.quantity
            if full
            else forms.integer(form, "received_quantity", "Jumlah diterima")
        )
        shipments.receive(
            session=session,
            shipment_id=shipment_id,
            received_quantity=quantity,
            received_on=forms.day(form, "received_on", "Tanggal terima"),
            shortfall_reason=forms.text(form, "shortfall_reason"),
            actor=web_actor(user),
            idempotency_key=forms.text(form, "idempotency_key") or None,
        )
    except DomainError as error:
        session.rollback()
        context = dashboard_context(session, office)
        context["receive_errors"] = {shipment_id: error.message}
        context["receive_values"] = {shipment_id: dict(form)}
        return render(request, "office/dashboard.html", context, status_code=error.status)
    return done(f"/kantor/{office.code}", f"Kiriman #{shipment_id} diterima")


REPORT_FIELDS = [
    ("print_requests", "Permintaan cetak baru (PRR)"),
    ("printed", "Tercetak"),
    ("spoiled_gagal_cetak", "Rusak: gagal cetak"),
    ("spoiled_gagal_encode", "Rusak: gagal encode"),
    ("spoiled_rusak_fisik", "Rusak: rusak fisik"),
    ("spoiled_lainnya", "Rusak: lainnya"),
    ("backlog", "Sisa PRR belum tercetak (akhir hari)"),
    ("suket_issued", "Suket diterbitkan"),
    ("ikd_activations", "Aktivasi IKD"),
]


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
def report_form(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    office = readable_office(session, user, code)
    chosen = forms.optional_day(request.query_params.get("tanggal")) or local_today(office)
    existing = reports.current_report(session=session, office_code=code, report_date=chosen)
    context = _report_context(session, office, chosen)
    context.update(
        existing=existing,
        values={f: getattr(existing, f) for f, _ in REPORT_FIELDS} if existing else {},
        flash=request.query_params.get("pesan"),
    )
    return render(request, "office/report.html", context)


@router.post("/kantor/{code}/laporan", dependencies=[Depends(check_csrf)])
async def save_report(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    form = await request.form()
    office = writable_office(session, user, code)
    try:
        report_date = forms.day(form, "report_date", "Tanggal laporan")
        figures = reports.DailyFigures(
            **{f: forms.integer(form, f, label, default=0) for f, label in REPORT_FIELDS}
        )
        saved = reports.save_daily_report(
            session=session,
            office_code=code,
            report_date=report_date,
            figures=figures,
            actor=web_actor(user),
            note=forms.text(form, "note"),
        )
    except DomainError as error:
        session.rollback()
        typed = forms.optional_day(forms.text(form, "report_date")) or local_today(office)
        return refused(
            request, "office/report.html", _report_context(session, office, typed), error, form
        )
    what = "dikoreksi" if saved.version > 1 else "disimpan"
    day = saved.report_date.isoformat()
    return done(f"/kantor/{code}/laporan", f"Laporan {day} {what}", tanggal=day)


def _card_range(request: Request, office: Office) -> tuple[date, date]:
    today = local_today(office)
    date_to = forms.optional_day(request.query_params.get("sampai")) or today
    date_from = forms.optional_day(request.query_params.get("dari")) or date_to - timedelta(days=30)
    return date_from, date_to


@router.get("/kantor/{code}/kartu-stok")
def card_page(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    office = readable_office(session, user, code)
    date_from, date_to = _card_range(request, office)
    page = forms.page_number(request.query_params.get("halaman"))
    card = stock_card(
        session=session,
        office_code=code,
        date_from=date_from,
        date_to=date_to,
        offset=(page - 1) * CARD_PAGE,
        limit=CARD_PAGE,
    )
    return render(
        request,
        "office/card.html",
        {
            "office": office,
            "card": card,
            "date_from": date_from,
            "date_to": date_to,
            "page": page,
            "pages": max(1, -(-card.total // CARD_PAGE)),
            "kinds": KIND_LABELS,
        },
    )


@router.get("/kantor/{code}/kartu-stok.csv")
def card_csv(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
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
def count_form(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    context = _count_context(session, readable_office(session, user, code))
    context["flash"] = request.query_params.get("pesan")
    return render(request, "office/count.html", context)


@router.post("/kantor/{code}/stock-opname", dependencies=[Depends(check_csrf)])
async def save_count(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    form = await request.form()
    office = writable_office(session, user, code)
    try:
        count = stock.record_stock_count(
            session=session,
            office_code=code,
            counted_quantity=forms.integer(form, "counted_quantity", "Jumlah hasil hitung"),
            counted_on=forms.day(form, "counted_on", "Tanggal hitung"),
            note=forms.text(form, "note"),
            actor=web_actor(user),
        )
    except DomainError as error:
        session.rollback()
        return refused(request, "office/count.html", _count_context(session, office), error, form)
    difference = count.counted_quantity - count.book_quantity
    message = "sesuai buku" if difference == 0 else f"selisih {difference:+d} dicatat"
    return done(f"/kantor/{code}/stock-opname", f"Stock opname disimpan: {message}")


def _requests_context(session: Session, office: Office) -> dict[str, Any]:
    return {
        "office": office,
        "requests": shipments.list_requests(session=session, office_code=office.code, limit=50),
        "values": {},
    }


@router.get("/kantor/{code}/permintaan")
def request_page(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    context = _requests_context(session, readable_office(session, user, code))
    context["flash"] = request.query_params.get("pesan")
    return render(request, "office/requests.html", context)


@router.post("/kantor/{code}/permintaan", dependencies=[Depends(check_csrf)])
async def create_request(
    request: Request,
    code: str,
    user: User = Depends(current_user),
    session: Session = Depends(db, scope="function"),
) -> Response:
    form = await request.form()
    office = writable_office(session, user, code)
    try:
        created = shipments.request_allocation(
            session=session,
            office_code=code,
            quantity=forms.integer(form, "quantity", "Jumlah permintaan"),
            reference=forms.text(form, "reference"),
            note=forms.text(form, "note"),
            actor=web_actor(user),
        )
    except DomainError as error:
        session.rollback()
        context = _requests_context(session, office)
        return refused(request, "office/requests.html", context, error, form)
    return done(f"/kantor/{code}/permintaan", f"Permintaan #{created.id} dikirim")
