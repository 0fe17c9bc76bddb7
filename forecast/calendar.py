"""The Indonesian working calendar shared by every office: public holidays (libur
nasional), joint leave days (cuti bersama) and the Lebaran (Idul Fitri) window.

Built once per forecast run and handed to every model: Prophet gets it as holiday
regressors, the fallback model as day kinds. Sundays are not listed: each office's own
closing days are the weekdays it never reports on (``forecast.models.closed_weekdays``)."""

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd

# Demand drops before Idul Fitri (mudik) and recovers over the following week and a
# half. Then come the weeks of the return flow (arus balik), when newcomers and those
# who moved or married over the holiday register (pindah datang): a window of its own,
# whose effect each office's history decides (none where its demand shows none).
LEBARAN_BEFORE_DAYS = 7
LEBARAN_AFTER_DAYS = 10
LEBARAN_RETURN_LAST_DAY = 38

# Day kinds used by the fallback model.
NORMAL, CLOSURE, LEBARAN, LEBARAN_RETURN = 0, 1, 2, 3


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and Lebaran windows for a range of years."""

    first_year: int
    last_year: int
    closures: frozenset[date]
    lebaran_days: tuple[date, ...]
    public: frozenset[date]

    def covers(self, start: date, end: date) -> bool:
        return self.first_year <= start.year and end.year <= self.last_year

    def day_kinds(self, start: date, days: int) -> np.ndarray:
        """``NORMAL``, ``CLOSURE``, ``LEBARAN`` (a working day in the Lebaran window) or
        ``LEBARAN_RETURN`` (one in the weeks of the return flow after it) for each of
        ``days`` consecutive dates from ``start``."""
        kinds = np.full(days, NORMAL, dtype=np.int8)
        for first in self.lebaran_days:
            t = (first - start).days
            for kind, lo, hi in (
                (LEBARAN, t - LEBARAN_BEFORE_DAYS, t + LEBARAN_AFTER_DAYS + 1),
                (LEBARAN_RETURN, t + LEBARAN_AFTER_DAYS + 1, t + LEBARAN_RETURN_LAST_DAY + 1),
            ):
                kinds[max(lo, 0) : max(min(hi, days), 0)] = kind
        for day in self.closures:
            offset = (day - start).days
            if 0 <= offset < days:
                kinds[offset] = CLOSURE
        return kinds

    def holiday_regressors(self) -> pd.DataFrame:
        """Holiday indicators for every date of the calendar's years, used as Prophet
        regressors: public holidays, cuti bersama, and the working days of the week before
        Idul Fitri (mudik), of the days after it until demand recovers and of the weeks of
        the return flow. Three Lebaran effects, not one per day: a day-by-day effect
        cannot be learned from two or three Lebarans whose closures fall differently. Built once; each fit takes a slice
        instead of rebuilding holiday features from a table (which cost more than the
        fit)."""
        start = date(self.first_year, 1, 1)
        days = (date(self.last_year, 12, 31) - start).days + 1
        columns: dict[str, np.ndarray] = {
            "lebaran_before": np.zeros(days),
            "lebaran_after": np.zeros(days),
            "lebaran_return": np.zeros(days),
        }
        for first in self.lebaran_days:
            t = (first - start).days
            columns["lebaran_before"][max(t - LEBARAN_BEFORE_DAYS, 0) : max(t, 0)] = 1.0
            columns["lebaran_after"][max(t, 0) : max(t + LEBARAN_AFTER_DAYS + 1, 0)] = 1.0
            columns["lebaran_return"][
                max(t + LEBARAN_AFTER_DAYS + 1, 0) : max(t + LEBARAN_RETURN_LAST_DAY + 1, 0)
            ] = 1.0
        for name in ("libur_nasional", "cuti_bersama"):
            columns[name] = np.zeros(days)
        for day in self.closures:
            t = (day - start).days
            name = "libur_nasional" if day in self.public else "cuti_bersama"
            columns[name][t] = 1.0
            # A closure is a closure: the Lebaran effects cover only the working days of
            # the window, so that the effects do not overlap (a linear model cannot
            # combine "closed" and "fewer visitors" on the same day).
            for name in ("lebaran_before", "lebaran_after", "lebaran_return"):
                columns[name][t] = 0.0
        index = pd.date_range(start, periods=days, freq="D")
        return pd.DataFrame(columns, index=index)


def build_calendar(first_year: int, last_year: int) -> WorkCalendar:
    """The calendar from the ``holidays`` package (public holidays and the government's
    cuti bersama) for ``first_year`` to ``last_year`` inclusive."""
    years = range(first_year, last_year + 1)
    public = holidays.Indonesia(years=years, categories=("public",), language="en_US")
    joint = holidays.Indonesia(years=years, categories=("government",), language="en_US")
    lebaran = sorted(
        day
        for day, name in public.items()
        if name.startswith("Eid al-Fitr") and "Second" not in name
    )
    closures = frozenset(public) | frozenset(joint)
    return WorkCalendar(
        first_year=first_year,
        last_year=last_year,
        closures=frozenset(d for d in closures if d.weekday() != 6),
        lebaran_days=tuple(lebaran),
        public=frozenset(public),
    )


def calendar_for(start: date, end: date) -> WorkCalendar:
    """A calendar covering ``start`` to ``end`` plus a year either side."""
    return build_calendar(start.year - 1, (end + timedelta(days=1)).year + 1)
