"""The province quotas page of the planners (kuota provinsi, ``blangko.quotas``): each
province with its offices beneath, one province at a time if asked, and the same table as
an Excel workbook or a CSV file for allocation letters."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.downloads import file_response
from blangko import quotas
from blangko.access import require_central
from blangko.documents import files
from blangko.models import OfficeKind
from blangko.offices import list_offices
from web.deps import PageRoute, SessionDep, UserDep
from web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE = "Kuota provinsi"
Province = Annotated[str, Query(alias="provinsi")]


@router.get("/nasional/kuota")
def quota_page(
    request: Request, user: UserDep, session: SessionDep, code: Province = ""
) -> Response:
    require_central(user, PAGE)
    province = code or None
    return render(
        request,
        "planner/quotas.html",
        {
            "table": quotas.quota_table(session=session, province=province),
            "province": province or "",
            "provinces": [
                o for o in list_offices(session=session) if o.kind is OfficeKind.province
            ],
            "kinds": quotas.KIND_LABELS,
        },
    )


@router.get("/nasional/kuota.xlsx")
def quota_xlsx(user: UserDep, session: SessionDep, code: Province = "") -> Response:
    require_central(user, PAGE)
    province = code or None
    content = files.quotas_xlsx(session=session, province=province)
    name = quotas.file_name(session=session, extension="xlsx", province=province)
    return file_response(content, files.XLSX, name, "attachment")


@router.get("/nasional/kuota.csv")
def quota_csv(user: UserDep, session: SessionDep, code: Province = "") -> Response:
    require_central(user, PAGE)
    province = code or None
    content = files.quotas_csv(session=session, province=province)
    name = quotas.file_name(session=session, extension="csv", province=province)
    return file_response(content, files.CSV, name, "attachment")
