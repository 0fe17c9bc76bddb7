"""Input checks shared by the services, each refusing with an Indonesian message; the
limits are ``blangko.fields``, the ones every front door uses."""

from datetime import date

from blangko import fields
from blangko.errors import FutureDate, ValidationFailed
from blangko.fmt import day
from blangko.models import Office
from blangko.offices import local_today

EARLIEST = fields.EARLIEST_DATE


def positive(value: int, field: str, label: str) -> int:
    return fields.check_quantity(value, field=field, label=label, minimum=1)


def non_negative(value: int, field: str, label: str) -> int:
    return fields.check_quantity(value, field=field, label=label)


def not_future(office: Office, value: date, field: str, label: str) -> date:
    today = local_today(office)
    if value > today:
        raise FutureDate(
            f"{label} {day(value)} belum terjadi: hari ini di {office.name} adalah "
            f"{day(today)}. Isi tanggal hari ini atau sebelumnya.",
            field=field,
        )
    if value < EARLIEST:
        raise ValidationFailed(f"{label} {day(value)} terlalu lama (sebelum 2011).", field=field)
    return value


def text(value: str | None, field: str, label: str, *, required: bool, max_length: int) -> str:
    return fields.check_text(
        value, field=field, label=label, max_length=max_length, required=required
    )
