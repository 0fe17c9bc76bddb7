"""Stock: one office's position and stock card, physical counts, and the national
overview of every office."""

from fastapi import APIRouter, Query, Response

from api.deps import (
    ActorDep,
    CodePath,
    DateFrom,
    DateTo,
    IdempotencyKey,
    SessionDep,
    UserDep,
    check_range,
    readable_office,
    require_central,
    writable_office,
)
from api.errors import problem_responses
from api.schemas import (
    MAX_ID,
    LeadTimePublic,
    LedgerLine,
    NationalOverview,
    NationalRow,
    OfficeStockPublic,
    StockCardPublic,
    StockCountCreate,
    StockCountPublic,
)
from api.transaction import TransactionRoute
from blangko import ikd, ledger, overview, stock
from blangko.forecasts import latest_summaries
from blangko.models import utcnow
from blangko.offices import local_today
from forecast.resupply import lead_time_of

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1",
    tags=["stock"],
    responses=problem_responses(401, 403, 422),
)


@router.get(
    "/offices/{code}/stock",
    response_model=OfficeStockPublic,
    summary="Stock position of one office",
    description="Blanks on hand, in transit to and from the office, and the backlog of the "
    "latest daily report. `days_of_cover` is null until a forecast exists. `lead_time_days` "
    "is how long a resupply requested today takes, learned from the ledger. "
    "`ikd_share_90d` and `ikd_share_ytd` are the IKD activations ÷ blanks received over the "
    "last 90 days and since 1 January (null when nothing was received).",
    responses=problem_responses(404),
)
def get_office_stock(code: CodePath, session: SessionDep, user: UserDep) -> OfficeStockPublic:
    office = readable_office(session, user, code)
    position = stock.office_stock(session=session, office_code=code)
    forecast = latest_summaries(session=session, office_codes=[code]).get(code)
    lead = lead_time_of(session=session, office_code=code, as_of=local_today(office))
    compliance = ikd.compliance(session=session, offices=[office], since_january=True)[code]
    return OfficeStockPublic(
        office=code,
        on_hand=position.on_hand,
        in_transit_in=position.in_transit_in,
        in_transit_out=position.in_transit_out,
        backlog=position.backlog,
        days_of_cover=forecast.days_of_cover if forecast else None,
        lead_time_days=LeadTimePublic.model_validate(lead.public()) if lead else None,
        ikd_share_90d=compliance.share_90d,
        ikd_share_ytd=compliance.share_ytd,
        as_of=position.as_of,
    )


@router.get(
    "/offices/{code}/ledger",
    response_model=StockCardPublic,
    summary="Stock card (kartu stok) of one office",
    description="Entries on the office's stock account by business date, then recording "
    "time, each with the running balance. Optional `from`/`to` (inclusive) business dates; "
    "paged with `limit` and `offset`.",
    responses=problem_responses(404),
)
def get_stock_card(
    code: CodePath,
    session: SessionDep,
    user: UserDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: int = Query(default=100, ge=1, le=1000, description="Lines per page"),
    offset: int = Query(default=0, ge=0, le=MAX_ID, description="Lines to skip"),
) -> StockCardPublic:
    readable_office(session, user, code)
    check_range(date_from, date_to)
    card = ledger.stock_card(
        session=session,
        office_code=code,
        date_from=date_from,
        date_to=date_to,
        offset=offset,
        limit=limit,
    )
    return StockCardPublic(
        office=code,
        date_from=date_from,
        date_to=date_to,
        opening_balance=card.opening_balance,
        closing_balance=card.closing_balance,
        total=card.total,
        limit=limit,
        offset=offset,
        entries=[
            LedgerLine(
                entry_id=line.entry_id,
                movement_id=line.movement_id,
                movement_kind=line.movement_kind,
                business_date=line.business_date,
                recorded_at=line.recorded_at,
                source=line.source,
                note=line.note,
                counterparty=line.counterparty,
                counterparty_account=str(line.counterparty_account),
                quantity_in=line.quantity_in,
                quantity_out=line.quantity_out,
                balance=line.balance,
            )
            for line in card.lines
        ],
    )


@router.post(
    "/offices/{code}/stock-counts",
    response_model=StockCountPublic,
    status_code=201,
    summary="Record a physical stock count (stock opname)",
    description="The difference between the counted quantity and the book balance at the end "
    "of `counted_on` is posted to the adjustment account on that date, so the stock card "
    "shows the counted quantity that day; later movements keep their quantities. A count "
    "that would take a later balance below zero is refused (`insufficient_stock`), as is "
    "one dated before a later count (`invalid_state`).",
    responses=problem_responses(404, 409),
)
def record_stock_count(
    code: CodePath,
    body: StockCountCreate,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> StockCountPublic:
    office = writable_office(session, user, code)
    stock.refuse_national(office, "Stock opname")
    count = stock.record_stock_count(
        session=session,
        office_code=code,
        counted_quantity=body.counted_quantity,
        counted_on=body.counted_on,
        note=body.note,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    assert count.id is not None
    return StockCountPublic(
        id=count.id,
        office=count.office_code,
        counted_on=count.counted_on,
        counted_quantity=count.counted_quantity,
        book_quantity=count.book_quantity,
        adjustment=count.counted_quantity - count.book_quantity,
        movement_id=count.movement_id,
        note=count.note,
    )


@router.get(
    "/stock",
    response_model=NationalOverview,
    summary="National overview: every office's stock (planner, admin)",
    description="One row per office (national, provinces, kab/kota) with stock on hand, "
    "in transit, backlog, the IKD activations ÷ blanks received over 90 days "
    "(`ikd_share_90d`, null when nothing was received), and — once forecasts exist — days "
    "of cover, stock-out date and risk (null before).",
)
def get_national_overview(session: SessionDep, user: UserDep) -> Response:
    require_central(user, "Ikhtisar stok nasional")
    rows = overview.national_overview(session=session)
    # The one hot read (SPEC §7: ≤ 50 ms for 553 offices): the rows come from the database
    # already typed, so they are serialised once instead of validated twice.
    body = NationalOverview.model_construct(
        as_of=utcnow(),
        offices=[
            NationalRow.model_construct(
                code=row.code,
                name=row.name,
                kind=row.kind,
                province=row.province_code,
                on_hand=row.on_hand,
                in_transit_in=row.in_transit_in,
                in_transit_out=row.in_transit_out,
                backlog=row.backlog,
                days_of_cover=row.days_of_cover,
                stockout_date=row.stockout_date,
                risk=row.risk,
                ikd_share_90d=row.ikd_share_90d,
            )
            for row in rows
        ],
    )
    return Response(body.model_dump_json(), media_type="application/json")
