"""Berita Acara Serah Terima (BAST) of a received shipment: Pihak Pertama (the sender)
hands the blanks over to Pihak Kedua (the receiver). The receiving office numbers it, the
first time it is made, with its own pattern (``numbering``); every copy since carries the
same number."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from blangko.documents import numbering
from blangko.errors import InvalidState
from blangko.models import (
    HandoverRecord,
    Movement,
    Office,
    Shipment,
    ShipmentStatus,
    User,
)
from blangko.offices import get_office
from blangko.shipments import get_shipment

KIND = "bast"


@dataclass(frozen=True)
class Signatory:
    """Who signs for a party: nama lengkap, NIP, jabatan (blank: a line to write on)."""

    name: str = ""
    nip: str = ""
    position: str = ""


@dataclass(frozen=True)
class Party:
    office: Office
    signatory: Signatory


@dataclass(frozen=True)
class Handover:
    number: str
    handed_on: date
    place: str
    shipment: Shipment
    first: Party  # Pihak Pertama: the sender
    second: Party  # Pihak Kedua: the receiver

    @property
    def dispatched(self) -> int:
        return self.shipment.quantity

    @property
    def received(self) -> int:
        return self.shipment.received_quantity or 0

    @property
    def shortfall(self) -> int:
        return self.dispatched - self.received


def handover_record(
    *, session: Session, shipment: Shipment, issued_by: int | None
) -> HandoverRecord:
    """The shipment's BAST number: the one given before, or the receiving office's next.
    The shipment's row is locked first, so two requests for the same BAST wait for each
    other and share one number."""
    get_shipment(session=session, shipment_id=shipment.id or 0, lock=True)
    existing = session.exec(
        select(HandoverRecord).where(HandoverRecord.shipment_id == shipment.id)
    ).first()
    if existing is not None:
        return existing
    _require_received(shipment)
    receiver = get_office(session=session, code=shipment.to_office)
    handed_on = shipment.received_on or shipment.dispatched_on
    seq = numbering.next_seq(
        session=session, office_code=receiver.code, kind=KIND, year=handed_on.year
    )
    record = HandoverRecord(
        shipment_id=shipment.id or 0,
        office_code=receiver.code,
        year=handed_on.year,
        seq=seq,
        number=numbering.format_number(
            numbering.pattern_of(receiver),
            seq=seq,
            year=handed_on.year,
            month=handed_on.month,
            office=receiver.code,
        ),
        issued_by=issued_by,
    )
    session.add(record)
    session.flush()
    return record


def handover(
    *,
    session: Session,
    shipment_id: int,
    issued_by: int | None,
    first: Signatory | None = None,
    second: Signatory | None = None,
    place: str = "",
) -> Handover:
    """The BAST of a received shipment. Signatories not given come from the profiles of
    the people who recorded the dispatch and the receipt (or another officer of the office
    with a name in the profile); ``place`` defaults to the receiving office's name."""
    shipment = get_shipment(session=session, shipment_id=shipment_id)
    _require_received(shipment)
    record = handover_record(session=session, shipment=shipment, issued_by=issued_by)
    sender = get_office(session=session, code=shipment.from_office)
    receiver = get_office(session=session, code=shipment.to_office)
    return Handover(
        number=record.number,
        handed_on=shipment.received_on or shipment.dispatched_on,
        place=place.strip() or receiver.name,
        shipment=shipment,
        first=Party(
            sender,
            _filled(first, _signatory(session, sender, shipment.dispatch_movement_id)),
        ),
        second=Party(
            receiver,
            _filled(second, _signatory(session, receiver, shipment.close_movement_id)),
        ),
    )


def profile_signatory(user: User) -> Signatory:
    return Signatory(name=user.full_name, nip=user.nip, position=user.position)


def _filled(typed: Signatory | None, default: Signatory) -> Signatory:
    """What was typed on the form, field by field, over the profile's."""
    if typed is None:
        return default
    return Signatory(
        name=typed.name.strip() or default.name,
        nip=typed.nip.strip() or default.nip,
        position=typed.position.strip() or default.position,
    )


def _signatory(session: Session, office: Office, movement_id: int | None) -> Signatory:
    """The profile of whoever recorded the movement for the office, else of the office's
    first active user with a name in the profile."""
    if movement_id is not None:
        movement = session.get(Movement, movement_id)
        recorder = (
            session.get(User, movement.recorded_by) if movement and movement.recorded_by else None
        )
        if (
            recorder is not None
            and recorder.full_name
            and recorder.office_code in (office.code, None)
        ):
            return profile_signatory(recorder)
    officer = session.exec(
        select(User)
        .where(User.office_code == office.code, col(User.is_active), User.full_name != "")
        .order_by(col(User.id))
    ).first()
    return profile_signatory(officer) if officer else Signatory()


def _require_received(shipment: Shipment) -> None:
    if shipment.status not in (ShipmentStatus.received, ShipmentStatus.received_short):
        raise InvalidState(
            f"BAST kiriman #{shipment.id} baru dapat dibuat setelah kiriman diterima "
            f"(status sekarang '{shipment.status}').",
            status=str(shipment.status),
        )
