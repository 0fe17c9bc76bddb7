"""Calendar months (bulan kalender), the one place their arithmetic is written: the monthly
report's last day and the quota months."""

import calendar
from datetime import date


def month_end(first: date) -> date:
    """The last day of ``first``'s month."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])
