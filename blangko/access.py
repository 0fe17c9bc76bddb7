"""Who may read and write which office (SPEC §4), shared by the API and the web pages.

An officer reads and writes only its own office; a provincial officer also reads the
kab/kota of its province. Planners and admins see and act on every office."""

from blangko.errors import Forbidden
from blangko.models import Office, OfficeKind, Role, User

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
