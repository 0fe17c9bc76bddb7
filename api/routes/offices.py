"""Offices: the list an officer may see and one office's details."""

from fastapi import APIRouter, Query

from api.deps import CodePath, Limit, Offset, SessionDep, UserDep, readable_office
from api.errors import problem_responses
from api.schemas import OfficePage, OfficePublic
from api.transaction import TransactionRoute
from blangko import access, offices, paging
from blangko.models import Office, OfficeKind

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/api/v1/offices",
    tags=["offices"],
    responses=problem_responses(401, 403, 422),
)


def office_public(office: Office) -> OfficePublic:
    return OfficePublic.model_validate(office, from_attributes=True)


@router.get(
    "",
    response_model=OfficePage,
    summary="List offices",
    description="Offices the user may read, ordered by code: every office for planners and "
    "admins; an officer's own office (and, for a provincial officer, its kab/kota).",
)
def list_offices(
    session: SessionDep,
    user: UserDep,
    province: str | None = Query(
        default=None, pattern=r"^\d{2}$", description="Only this province", examples=["32"]
    ),
    kind: OfficeKind | None = Query(default=None, description="Only this kind of office"),
    limit: Limit = paging.MAX_LIMIT,
    offset: Offset = 0,
) -> OfficePage:
    rows = access.visible_offices(user, offices.list_offices(session=session, province=province))
    wanted = [o for o in rows if kind is None or o.kind == kind]
    page = paging.page_of_list(wanted, offset=offset, limit=limit)
    return OfficePage(
        items=[office_public(o) for o in page.items], total=page.total, next=page.next
    )


@router.get(
    "/{code}",
    response_model=OfficePublic,
    summary="One office",
    responses=problem_responses(404),
)
def get_office(code: CodePath, session: SessionDep, user: UserDep) -> OfficePublic:
    return office_public(readable_office(session, user, code))
