"""Indonesian formatting of numbers and dates for messages and pages."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
MONTH_NAMES = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


def number(value: int | float | None, digits: int = 0) -> str:
    """``1234567`` → ``1.234.567``; ``12.5`` with ``digits=1`` → ``12,5``."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def day(value: date | None) -> str:
    """``date(2026, 11, 22)`` → ``22 Nov 2026``."""
    if value is None:
        return "–"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def long_day(value: date | None) -> str:
    """The date as letters and documents write it: ``date(2026, 12, 1)`` → ``1 Desember 2026``."""
    if value is None:
        return "–"
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def month(value: date) -> str:
    """``date(2026, 12, 1)`` → ``Desember 2026``."""
    return f"{MONTH_NAMES[value.month - 1]} {value.year}"


def moment(value: datetime | None, zone: str = "Asia/Jakarta") -> str:
    """A stored (UTC) time as people read it in ``zone``, never in UTC:
    ``2026-12-01 22:42+00:00`` → ``2 Des 2026 05.42 WIB``."""
    if value is None:
        return "–"
    local = value.astimezone(ZoneInfo(zone))
    return f"{day(local.date())} {local:%H.%M} {ZONE_NAMES.get(zone, zone)}"
