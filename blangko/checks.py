"""Input checks shared by the services, each refusing with an Indonesian message."""

from datetime import date

from blangko.errors import FutureDate, ValidationFailed
from blangko.fmt import day
from blangko.models import Office
from blangko.offices import local_today

EARLIEST = date(2011, 1, 1)  # KTP-el began in 2011


def positive(value: int, field: str, label: str) -> int:
    if value is None or value <= 0:
        raise ValidationFailed(f"{label} harus lebih dari 0.", field=field)
    return value


def non_negative(value: int, field: str, label: str) -> int:
    if value is None or value < 0:
        raise ValidationFailed(f"{label} tidak boleh negatif.", field=field)
    return value


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
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"{label} wajib diisi.", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{label} maksimal {max_length} karakter.", field=field)
    return value
