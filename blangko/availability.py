"""What a resident may read about an office (halaman publik): whether blanks are there
today in three levels, how long someone whose record is print-ready waits, and since
when an office has been silent. Plain data in, plain data out; gathering the data is
``blangko.public``.

Levels, from the days of cover (stock on hand ÷ the office's mean daily demand, SPEC
§2): ``tersedia`` at ``AVAILABLE_DAYS`` or more, ``habis`` below ``EMPTY_DAYS`` (less
than a day's demand is gone by noon), ``terbatas`` between; ``tidak_diketahui`` when
the office has not reported for more than ``UNKNOWN_AFTER_DAYS`` (its book no longer
shows what it printed)."""

import enum
import math
from dataclasses import dataclass
from datetime import date, timedelta

AVAILABLE_DAYS = 14  # two weeks of the office's own demand, as the safety days
EMPTY_DAYS = 1
SILENT_AFTER_DAYS = 3  # a weekend and a holiday are not silence
UNKNOWN_AFTER_DAYS = 7
PRINT_WINDOW_DAYS = 14  # "recent daily prints": the two weeks up to the latest report
DEMAND_WINDOW_DAYS = 28  # demand without a forecast: the four weeks up to it


class Level(enum.StrEnum):
    """Availability of blanks today (ketersediaan blangko)."""

    tersedia = "tersedia"
    terbatas = "terbatas"
    habis = "habis"
    tidak_diketahui = "tidak_diketahui"


LEVEL_LABELS = {
    Level.tersedia: "Tersedia",
    Level.terbatas: "Terbatas",
    Level.habis: "Habis",
    Level.tidak_diketahui: "Tidak diketahui",
}


def level(
    *, on_hand: int, mean_daily_demand: float, last_report_on: date | None, today: date
) -> Level:
    """The level of an office's stock today (see the module's docstring)."""
    if last_report_on is None or (today - last_report_on).days > UNKNOWN_AFTER_DAYS:
        return Level.tidak_diketahui
    if on_hand <= 0:
        return Level.habis
    if mean_daily_demand <= 0:
        return Level.tersedia
    cover = on_hand / mean_daily_demand
    if cover < EMPTY_DAYS:
        return Level.habis
    return Level.tersedia if cover >= AVAILABLE_DAYS else Level.terbatas


def silent_since(last_report_on: date | None, today: date) -> date | None:
    """The first day without a report, when reports stopped (more than
    ``SILENT_AFTER_DAYS`` ago): the page says "belum melapor sejak …"."""
    if last_report_on is None or (today - last_report_on).days <= SILENT_AFTER_DAYS:
        return None
    return last_report_on + timedelta(days=1)


@dataclass(frozen=True)
class Wait:
    """The expected wait (perkiraan lama menunggu) of a resident whose record became
    print-ready today: whole days, or waiting for a delivery of blanks, or unknown."""

    days: int | None
    for_blanks: bool = False


def expected_wait(*, status: Level, backlog: int, daily_prints: float) -> Wait:
    """Backlog ÷ recent daily prints, rounded up to whole days; out of stock: waiting for
    blanks; nothing printed lately (or no recent report): not to be estimated."""
    if status is Level.habis:
        return Wait(days=None, for_blanks=True)
    if status is Level.tidak_diketahui:
        return Wait(days=None)
    if backlog <= 0:
        return Wait(days=0)
    if daily_prints <= 0:
        return Wait(days=None)
    return Wait(days=math.ceil(backlog / daily_prints))


def week_of(on: date) -> tuple[date, date]:
    """Monday and Sunday of the week ``on`` falls in (a shipment's expected week)."""
    monday = on - timedelta(days=on.weekday())
    return monday, monday + timedelta(days=6)
