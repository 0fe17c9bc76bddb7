"""Who may read and write which office (SPEC §4): the one office-scope rule of the API and
the web pages.

An officer reads and writes only its own office; a provincial officer also reads the
kab/kota of its province. Planners and admins see and act on every office.

Officers are answered before any lookup when they name an office outside their scope
(403, whether or not the code exists), so they cannot probe which codes exist; a record
(shipment, movement, alert) of offices they may not read is "not found", exactly like a
missing one."""

from collections.abc import Iterable

from sqlmodel import Session

from blangko.errors import Forbidden, NotFound
from blangko.models import Office, OfficeKind, Role, User
from blangko.offices import get_office, list_offices

CENTRAL = {Role.admin, Role.planner}


def can_read(user: User, office: Office) -> bool:
    if user.role in CENTRAL:
        return True
    if user.office_code is None:
        return False
    if office.code == user.office_code:
        return True
    return office.kind in (OfficeKind.kabupaten, OfficeKind.kota) and (
        office.parent_code == user.office_code
    )


def can_write(user: User, office: Office) -> bool:
    return user.role in CENTRAL or office.code == user.office_code


def require_read(user: User, office: Office) -> None:
    if not can_read(user, office):
        raise Forbidden(f"Anda tidak berhak melihat data kantor {office.code} ({office.name}).")


def require_write(user: User, office: Office) -> None:
    if not can_write(user, office):
        raise Forbidden(
            f"Anda hanya dapat mencatat untuk kantor Anda sendiri ({user.office_code}), "
            f"bukan {office.code} ({office.name})."
        )


def require_central(user: User, action: str) -> None:
    if user.role not in CENTRAL:
        raise Forbidden(
            f"{action} hanya dapat dilakukan oleh perencana pusat (planner) atau admin."
        )


def visible_offices(user: User, offices: list[Office]) -> list[Office]:
    return [office for office in offices if can_read(user, office)]


def readable_office(session: Session, user: User, code: str) -> Office:
    """The office ``code`` if the user may read it."""
    if user.role not in CENTRAL and not _may_concern(user, code):
        raise Forbidden(f"Anda tidak berhak melihat data kantor {code}.")
    office = get_office(session=session, code=code)
    require_read(user, office)
    return office


def writable_office(session: Session, user: User, code: str) -> Office:
    """The office ``code`` if the user may record movements for it."""
    if user.role not in CENTRAL and code != user.office_code:
        raise Forbidden(
            f"Anda hanya dapat mencatat untuk kantor Anda sendiri ({user.office_code}), "
            f"bukan {code}."
        )
    office = get_office(session=session, code=code)
    require_write(user, office)
    return office


def require_visible(session: Session, user: User, codes: Iterable[str], missing: str) -> None:
    """A record of the offices ``codes`` (a shipment's sender and receiver, a movement's or
    an alert's office) is not found, with the message ``missing``, for a user who may read
    none of them: the same answer as for an id that does not exist."""
    if user.role in CENTRAL:
        return
    for code in codes:
        if _may_concern(user, code) and can_read(user, get_office(session=session, code=code)):
            return
    raise NotFound(missing)


def office_scope(session: Session, user: User) -> list[str] | None:
    """The office codes an officer may read; None for planners and admins (all)."""
    if user.role in CENTRAL:
        return None
    own = user.office_code or ""
    if "." in own:
        return [own]
    return [office.code for office in list_offices(session=session, province=own)]


def _may_concern(user: User, code: str) -> bool:
    own = user.office_code or ""
    return bool(own) and (code == own or code.startswith(own + "."))
