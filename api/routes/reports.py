"""Daily reports (laporan harian): save one day's figures, read a date range."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

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
    writable_office,
)
from api.errors import problem_responses
from api.schemas import DailyReportPublic, DailyReportSave, Day, Spoiled
from api.transaction import TransactionRoute
from blangko import reports
from blangko.fields import DAILY_FIGURES
from blangko.models import DailyReport

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/offices/{code}/daily-reports",
    tags=["daily reports"],
    responses=problem_responses(401, 403, 404, 422),
)


def report_public(report: DailyReport) -> DailyReportPublic:
    assert report.id is not None
    return DailyReportPublic(
        id=report.id,
        office=report.office_code,
        report_date=report.report_date,
        version=report.version,
        is_current=report.is_current,
        print_requests=report.print_requests,
        printed=report.printed,
        spoiled=Spoiled(
            gagal_cetak=report.spoiled_gagal_cetak,
            gagal_encode=report.spoiled_gagal_encode,
            rusak_fisik=report.spoiled_rusak_fisik,
            lainnya=report.spoiled_lainnya,
        ),
        spoiled_total=report.spoiled,
        backlog=report.backlog,
        suket_issued=report.suket_issued,
        ikd_activations=report.ikd_activations,
        movement_id=report.movement_id,
        recorded_at=report.recorded_at,
    )


@router.put(
    "/{report_date}",
    response_model=DailyReportPublic,
    summary="Save the daily report of one office for one date",
    description="Posts the day's printed and spoiled blanks out of stock. Saving the same "
    "date again is a correction: the previous version is reversed and the new one posted; "
    "both stay in history. The date is the office's local date and may not be in the "
    "future. Refused with `insufficient_stock` when stock cannot cover printed + spoiled.",
    responses=problem_responses(409),
)
def save_daily_report(
    code: CodePath,
    report_date: Annotated[Day, Path(description="Office-local date, YYYY-MM-DD")],
    body: DailyReportSave,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> DailyReportPublic:
    writable_office(session, user, code)
    figures = reports.DailyFigures(
        **{
            f.name: getattr(body.spoiled, f.spoil_cause) if f.spoil_cause else getattr(body, f.name)
            for f in DAILY_FIGURES
        }
    )
    report = reports.save_daily_report(
        session=session,
        office_code=code,
        report_date=report_date,
        figures=figures,
        note=body.note,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return report_public(report)


@router.get(
    "",
    response_model=list[DailyReportPublic],
    summary="Daily reports of one office in a date range",
    description="Current versions ordered by date; `include_history=true` adds the earlier "
    "(corrected) versions.",
)
def list_daily_reports(
    code: CodePath,
    session: SessionDep,
    user: UserDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    include_history: bool = Query(default=False, description="Also corrected versions"),
) -> list[DailyReportPublic]:
    readable_office(session, user, code)
    check_range(date_from, date_to)
    rows = reports.list_reports(
        session=session,
        office_code=code,
        date_from=date_from,
        date_to=date_to,
        include_history=include_history,
    )
    return [report_public(r) for r in rows]
