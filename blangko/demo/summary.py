"""National monthly figures of a simulated history, for the closing line of the demo and
for the tests of its shape."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from blangko.demo.records import History

# A month is "normal" when few residents had to take a Suket and the backlog is small:
# no national shortage and no catch-up after one.
NORMAL_SUKET_SHARE = 0.05
NORMAL_BACKLOG_SHARE = 0.10


@dataclass(frozen=True)
class Month:
    first: date
    requests: int
    printed: int
    spoiled: int
    suket: int
    backlog_end: int  # national backlog on the month's last simulated day
    complete: bool

    @property
    def normal(self) -> bool:
        return (
            self.complete
            and self.suket < NORMAL_SUKET_SHARE * self.requests
            and self.backlog_end < NORMAL_BACKLOG_SHARE * self.requests
        )


def months(history: History) -> list[Month]:
    """The simulated kab/kota's totals by calendar month."""
    calendar = history.calendar
    keys = np.array(
        [calendar.day(t).year * 12 + calendar.day(t).month - 1 for t in range(calendar.n_days)]
    )
    result = []
    for key in np.unique(keys):
        days = np.flatnonzero(keys == key)
        first = date(int(key) // 12, int(key) % 12 + 1, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        result.append(
            Month(
                first=first,
                requests=int(history.requests[:, days].sum()),
                printed=int(history.printed[:, days].sum()),
                spoiled=int(history.spoiled[:, days].sum()),
                suket=int(history.suket[:, days].sum()),
                backlog_end=int(history.backlog[:, days[-1]].sum()),
                complete=calendar.day(int(days[0])) == first
                and calendar.day(int(days[-1])) == last,
            )
        )
    return result


def normal_monthly_prints(history: History) -> float | None:
    """Median prints a month in normal months, at national scale (divided by the simulated
    offices' share of the population)."""
    normal = [m.printed for m in months(history) if m.normal]
    if not normal or history.share <= 0:
        return None
    return float(np.median(normal)) / history.share
