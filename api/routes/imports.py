"""CSV imports of daily reports and shipments: all rows or none, with a row-by-row error
report (``errors``: line, column, message) when any row is refused.

The daily-report import takes no request session: the service reads and checks the file
in a read transaction and posts it in one short write transaction of its own, so that
other writers are not kept waiting while a large file is read."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api.deps import IdempotencyKey, SessionDep, UserDep
from api.errors import problem_responses
from api.schemas import ImportResult
from api.transaction import TransactionRoute
from blangko import access, imports
from blangko.ledger import Actor
from blangko.models import Office, Source, User

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/imports",
    tags=["imports"],
    responses=problem_responses(400, 401, 409, 422),
)

CsvFile = Annotated[
    UploadFile,
    File(description="CSV, UTF-8 with or without BOM, separated by commas or semicolons"),
]
FORMAT = (
    " The first line names the columns; dates are `2026-11-20` or `20/11/2026`; numbers may "
    "use thousands dots (`1.250`). If any row is refused, nothing is written and the 422 "
    "problem lists every error in `errors` with its `row` (line number, header = 1) and "
    "`field` (column); so is a row that runs over a line break (a quote left open) or has "
    "cells beyond the header's columns. Officers may import only rows of their own office. "
    "With an `Idempotency-Key`, uploading the same file again writes nothing and returns the "
    "first result; the same key with another file is refused (`idempotency_conflict`)."
)


def _may_write(user: User) -> Callable[[Office], bool]:
    return lambda office: access.can_write(user, office)


def _importer(user: User) -> Actor:
    return Actor(user_id=user.id, source=Source.import_)


@router.post(
    "/daily-reports",
    response_model=ImportResult,
    status_code=201,
    summary="Import daily reports from CSV",
    description="Columns: `office`, `date` (required), `print_requests`, `printed`, "
    "`spoiled_gagal_cetak`, `spoiled_gagal_encode`, `spoiled_rusak_fisik`, `spoiled_lainnya`, "
    "`backlog`, `suket_issued`, `ikd_activations` (empty = 0), `note`. A date already "
    "reported is corrected, as with PUT." + FORMAT,
)
def import_daily_reports(
    file: CsvFile,
    user: UserDep,
    idempotency_key: IdempotencyKey = None,
) -> ImportResult:
    ids = imports.import_daily_reports(
        data=file.file.read(imports.MAX_BYTES + 1),
        actor=_importer(user),
        may_write=_may_write(user),
        idempotency_key=idempotency_key,
    )
    return ImportResult(imported=len(ids), ids=ids)


@router.post(
    "/shipments",
    response_model=ImportResult,
    status_code=201,
    summary="Import shipments (dispatches) from CSV",
    description="Columns: `from_office`, `to_office`, `quantity`, `expected_on` (required), "
    "`reference`, `dispatched_on` (empty = today), `note`. Each row dispatches one shipment "
    "from the sender's stock." + FORMAT,
)
def import_shipments(
    file: CsvFile,
    session: SessionDep,
    user: UserDep,
    idempotency_key: IdempotencyKey = None,
) -> ImportResult:
    ids = imports.import_shipments(
        session=session,
        data=file.file.read(imports.MAX_BYTES + 1),
        actor=_importer(user),
        may_write=_may_write(user),
        idempotency_key=idempotency_key,
    )
    return ImportResult(imported=len(ids), ids=ids)
