"""Daily reports (laporan harian): save one day's figures, read a date range."""

import re
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from api.deps import (
    ActorDep,
    CodePath,
    DateFrom,
    DateTo,
    IdempotencyKey,
    Limit,
    Offset,
    SessionDep,
    UserDep,
    check_range,
    readable_office,
    writable_office,
)
from api.errors import problem_responses
from api.schemas import DailyReportPage, DailyReportPublic, DailyReportSave, Day, Spoiled
from api.transaction import TransactionRoute
from blangko import paging, reports
from blangko.errors import NotFound
from blangko.fields import DAILY_FIGURES
from blangko.models import DailyReport

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/offices/{code}/daily-reports",
    tags=["daily reports"],
    responses=problem_responses(401, 403, 404, 422),
)


ReportDate = Annotated[Day, Path(description="Office-local date, YYYY-MM-DD")]
ETAG = {
    "ETag": {
        "description": "The report's version, for `If-Match` on the next correction",
        "schema": {"type": "string", "examples": ['"2"']},
        "required": True,
    }
}
_ENTITY_TAG = re.compile(r'(?:W/)?"([0-9]{1,9})"')


def etag(report: DailyReport) -> str:
    return f'"{report.version}"'


def expected_version(if_match: str | None) -> reports.ExpectedVersion | None:
    """The versions an ``If-Match`` names (``"2"``, ``"2", "3"`` or ``*``)."""
    if if_match is None:
        return None
    if if_match.strip() == "*":
        return reports.ExpectedVersion(any_version=True)
    versions = frozenset(int(v) for v in _ENTITY_TAG.findall(if_match))
    return reports.ExpectedVersion(versions=versions)


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
    responses={
        200: {"headers": ETAG},
        **problem_responses(409, 412),
    },
    description="Posts the day's printed and spoiled blanks out of stock. Saving the same "
    "date again is a correction: the previous version is reversed and the new one posted; "
    "both stay in history. The date is the office's local date and may not be in the "
    "future. Refused with `insufficient_stock` when stock cannot cover printed + spoiled. "
    "The answer's `ETag` is the saved version; send it back as `If-Match` with a correction "
    "and the correction is refused (412 `precondition_failed`) if someone else saved the day "
    "in between.",
)
def save_daily_report(
    code: CodePath,
    report_date: ReportDate,
    body: DailyReportSave,
    session: SessionDep,
    user: UserDep,
    actor: ActorDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=200,
            pattern=r'^[ \t]*(\*|(W/)?"[0-9]{1,9}"([ \t]*,[ \t]*(W/)?"[0-9]{1,9}")*)[ \t]*$',
            description='Only correct the report if its version is still this one (`"2"`, '
            "the `ETag` it was read with); `*`: only if the day has a report",
            examples=['"1"'],
        ),
    ] = None,
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
        expected=expected_version(if_match),
    )
    response.headers["ETag"] = etag(report)
    return report_public(report)


@router.get(
    "/{report_date}",
    response_model=DailyReportPublic,
    summary="The current daily report of one office for one date",
    description="With its `ETag` (the version), to send as `If-Match` with a correction.",
    responses={200: {"headers": ETAG}},
)
def get_daily_report(
    code: CodePath, report_date: ReportDate, session: SessionDep, user: UserDep, response: Response
) -> DailyReportPublic:
    readable_office(session, user, code)
    report = reports.current_report(session=session, office_code=code, report_date=report_date)
    if report is None:
        raise NotFound(f"Kantor {code} belum mengirim laporan harian tanggal {report_date}.")
    response.headers["ETag"] = etag(report)
    return report_public(report)


@router.get(
    "",
    response_model=DailyReportPage,
    summary="Daily reports of one office in a date range",
    description="Current versions ordered by date; `include_history=true` adds the earlier "
    "(corrected) versions. Paged with `limit` and `offset`.",
)
def list_daily_reports(
    code: CodePath,
    session: SessionDep,
    user: UserDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    include_history: bool = Query(default=False, description="Also corrected versions"),
    limit: Limit = paging.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> DailyReportPage:
    readable_office(session, user, code)
    check_range(date_from, date_to)
    page = reports.report_page(
        session=session,
        office_code=code,
        date_from=date_from,
        date_to=date_to,
        include_history=include_history,
        offset=offset,
        limit=limit,
    )
    items = [report_public(r) for r in page.items]
    return DailyReportPage(items=items, total=page.total, next=page.next)
