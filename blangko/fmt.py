"""Indonesian formatting of numbers and dates for messages and pages."""

from datetime import date

MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


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
