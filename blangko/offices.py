"""Offices (Dinas Dukcapil and Ditjen Dukcapil), their time zones and the seed from the
bundled Kemendagri region list."""

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from importlib import resources
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from blangko.errors import NotFound
from blangko.models import Account, AccountKind, Office, OfficeKind, Role, User

NATIONAL = "00"
WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
# Province → time zone (UU / Keppres 41/1987): Bali, Nusa Tenggara, South/East/North
# Kalimantan and all of Sulawesi keep WITA; Maluku and Papua keep WIT; the rest WIB.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}


def timezone_for_province(province_code: str) -> str:
    if province_code in _WITA:
        return WITA
    if province_code in _WIT:
        return WIT
    return WIB


def clock() -> datetime:
    """This moment (UTC): the one clock every office's "today" is read from, so a test can
    stop it at a chosen hour."""
    return datetime.now(UTC)


def reading_zone(*, session: Session, user: User) -> str:
    """The zone a user reads times in: an officer its own office's (WIB, WITA or WIT),
    planners and admins the centre's (WIB). Times are stored in UTC and never shown so."""
    if user.role is Role.officer and user.office_code:
        return get_office(session=session, code=user.office_code).timezone
    return WIB


def planner_today(now: datetime | None = None) -> date:
    """The planners' today: the calendar date in WIB (Ditjen's, the centre's zone) at
    ``now`` or at this moment (``clock()``)."""
    return (now or clock()).astimezone(ZoneInfo(WIB)).date()


def local_today(office: Office, now: datetime | None = None) -> date:
    """The office's own calendar date (its "today"), at ``now`` or at this moment."""
    return (now or clock()).astimezone(ZoneInfo(office.timezone)).date()


def day_begins_at(office: Office, on: date) -> datetime:
    """The moment the office's day ``on`` begins: 00.00 in its own time zone."""
    return datetime.combine(on, time.min, ZoneInfo(office.timezone))


def accounts_for(office: Office) -> list[AccountKind]:
    kinds: list[AccountKind] = [k for k in AccountKind if k is not AccountKind.supply]
    return [AccountKind.supply, *kinds] if office.code == NATIONAL else kinds


@dataclass(frozen=True)
class SeedResult:
    created: int
    existing: int


def region_list() -> list[Office]:
    """The 553 offices of the bundled list: national, 38 provinces, 514 kab/kota."""
    data = resources.files("blangko") / "data"
    offices = [
        Office(
            code=NATIONAL,
            name="Ditjen Dukcapil Kemendagri",
            kind=OfficeKind.national,
            timezone=WIB,
        )
    ]
    with (data / "provinces.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["province_code"]
            offices.append(
                Office(
                    code=code,
                    name=f"Provinsi {row['province_name']}",
                    kind=OfficeKind.province,
                    parent_code=NATIONAL,
                    province_code=code,
                    timezone=timezone_for_province(code),
                    population=int(row["population"]),
                )
            )
    with (data / "kabkota.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            province = row["province_code"]
            offices.append(
                Office(
                    code=row["code"],
                    name=row["name"],
                    kind=OfficeKind(row["kind"]),
                    parent_code=province,
                    province_code=province,
                    timezone=timezone_for_province(province),
                    population=int(row["population"]),
                )
            )
    return offices


def seed_offices(*, session: Session) -> SeedResult:
    """Inserts the offices and their ledger accounts that are not there yet."""
    existing = set(session.exec(select(Office.code)).all())
    have_accounts = {(a.office_code, a.kind) for a in session.exec(select(Account)).all()}
    offices = region_list()
    new = [office for office in offices if office.code not in existing]
    session.add_all(new)  # inserted in list order: parents before children
    session.flush()
    for office in offices:
        for kind in accounts_for(office):
            if (office.code, kind) not in have_accounts:
                session.add(Account(office_code=office.code, kind=kind, balance=0))
    session.flush()
    return SeedResult(created=len(new), existing=len(existing))


def get_office(*, session: Session, code: str) -> Office:
    office = session.get(Office, code)
    if office is None:
        raise NotFound(f"Kantor dengan kode '{code}' tidak ditemukan. Periksa kode Kemendagri.")
    return office


def list_offices(*, session: Session, province: str | None = None) -> list[Office]:
    query = select(Office).order_by(Office.code)
    if province:
        query = query.where(Office.province_code == province)
    return list(session.exec(query).all())


def is_within(office: Office, scope: Office) -> bool:
    """Whether ``office`` is ``scope`` itself or one of its kab/kota (for provinces)."""
    if office.code == scope.code:
        return True
    return scope.kind is OfficeKind.province and office.parent_code == scope.code
