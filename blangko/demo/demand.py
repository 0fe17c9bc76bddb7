"""Print requests (PRR) per office per day: the office's population share of national
demand, shaped by the working week, holidays and cuti bersama, Lebaran, school outreach
and the 2024 election, with negative-binomial noise.

Each office draws from its own generator seeded by the master seed and its code, so an
office's demand is the same whichever subset of offices is simulated."""

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

import holidays
import numpy as np

from blangko.demo import calibration as cal


@dataclass(frozen=True)
class DemoCalendar:
    """Working days of the simulated dates (the same national calendar for every office)."""

    start: date
    n_days: int
    office_open: np.ndarray  # Monday–Saturday, not a holiday or cuti bersama
    national_open: np.ndarray  # Monday–Friday, not a holiday or cuti bersama (Ditjen, letters)
    weight: np.ndarray  # relative demand of the day: 0 closed, light Saturday, Lebaran shape
    year_total: np.ndarray  # sum of ``weight`` over the whole calendar year of each date
    years: np.ndarray

    def day(self, t: int) -> date:
        return self.start + timedelta(days=t)

    def index(self, value: date) -> int:
        return (value - self.start).days

    def next_open(self, t: int, national: bool = False) -> int:
        """The first working day on or after ``t`` (may lie past the simulated range)."""
        open_days = self.national_open if national else self.office_open
        while t < self.n_days and not open_days[t]:
            t += 1
        return t

    def add_working_days(self, t: int, count: int) -> int:
        """``count`` national working days after ``t``."""
        for _ in range(count):
            t = self.next_open(t + 1, national=True)
        return t


def lebaran_days(years: range) -> list[date]:
    """The first day of Idul Fitri in each year."""
    found = holidays.country_holidays("ID", years=years, language="en_US")
    return sorted(d for d, name in found.items() if name == "Eid al-Fitr")


def build_calendar(start: date, n_days: int) -> DemoCalendar:
    """Closures and the demand weight of every simulated date. The weights are computed
    over whole calendar years so a year's demand is the same however it is cut."""
    first = date(start.year, 1, 1)
    last_day = start + timedelta(days=n_days - 1)
    years = range(start.year, last_day.year + 1)
    total = (date(last_day.year, 12, 31) - first).days + 1
    dates = [first + timedelta(days=i) for i in range(total)]
    closed_days = holidays.country_holidays(
        "ID", years=years, categories=("public", "government"), language="en_US"
    )
    weekday = np.array([d.weekday() for d in dates])
    closed = np.array([d in closed_days for d in dates]) | (weekday == 6)
    office_open = ~closed
    national_open = office_open & (weekday < 5)
    weight = np.where(office_open, np.where(weekday == 5, cal.SATURDAY_WEIGHT, 1.0), 0.0)
    offsets = np.arange(total)
    for fitri in lebaran_days(years):
        at = (fitri - first).days
        for lo, hi, factor in (cal.LEBARAN_BEFORE, cal.LEBARAN_SLOW, cal.LEBARAN_SURGE):
            weight[(offsets >= at + lo) & (offsets <= at + hi)] *= factor
    year_of = np.array([d.year for d in dates])
    sums = {y: weight[year_of == y].sum() for y in years}
    year_total = np.array([sums[y] for y in year_of])
    window = slice((start - first).days, (start - first).days + n_days)
    return DemoCalendar(
        start=start,
        n_days=n_days,
        office_open=office_open[window],
        national_open=national_open[window],
        weight=weight[window],
        year_total=year_total[window],
        years=year_of[window],
    )


def _piecewise(days: list[date], points: tuple[tuple[date, float], ...]) -> np.ndarray:
    """Linear interpolation between dated points, flat outside them."""
    x = np.array([d.toordinal() for d in days], dtype=float)
    xp = np.array([d.toordinal() for d, _ in points], dtype=float)
    return np.interp(x, xp, [v for _, v in points])


def election_factor(calendar: DemoCalendar) -> np.ndarray:
    """Demand multiplier of the run-up to the 14 Feb 2024 election and the lull after it."""
    days = [calendar.day(t) for t in range(calendar.n_days)]
    factor = _piecewise(days, cal.ELECTION_RAMP)
    lull_from, lull_to, lull = cal.ELECTION_LULL
    after = np.array([d >= cal.ELECTION_DAY for d in days])
    in_lull = np.array([lull_from <= d <= lull_to for d in days])
    return np.where(in_lull, lull, np.where(after, 1.0, factor))


def ikd_share(calendar: DemoCalendar) -> np.ndarray:
    """IKD activations as a share of the day's print requests."""
    days = [calendar.day(t) for t in range(calendar.n_days)]
    share = _piecewise(days, cal.IKD_RAMP)
    before = np.array([d < cal.IKD_RAMP[0][0] for d in days])
    return np.where(before, 0.0, share)


def office_rng(seed: int, code: str) -> np.random.Generator:
    """The office's own generator: the same draws whichever offices run alongside it."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(int(code.replace(".", "")),))
    )


@dataclass(frozen=True)
class OfficeDemand:
    """One kab/kota's drawn print requests and the expected yearly demand behind them."""

    code: str
    annual: float  # expected print requests a year before the election factor
    requests: np.ndarray  # print requests per simulated day


def annual_demand(population: int) -> float:
    """Expected yearly print requests of an office of this population (no local factor)."""
    per_capita = (cal.NEW_17_PER_YEAR + cal.REPLACEMENTS_PER_YEAR) / cal.NATIONAL_POPULATION
    return population * per_capita


def office_demand(
    *,
    code: str,
    population: int,
    rng: np.random.Generator,
    calendar: DemoCalendar,
    election: np.ndarray,
) -> OfficeDemand:
    """Draws one office's print requests for every simulated day."""
    local = float(
        np.clip(
            np.exp(rng.normal(0.0, cal.OFFICE_FACTOR_SIGMA)),
            1 - cal.OFFICE_FACTOR_LIMIT,
            1 + cal.OFFICE_FACTOR_LIMIT,
        )
    )
    new_17 = population * cal.NEW_17_PER_YEAR / cal.NATIONAL_POPULATION * local
    regular = annual_demand(population) * local - new_17 * cal.OUTREACH_SHARE
    mean = regular * calendar.weight / calendar.year_total
    mean = mean + _outreach(rng, calendar, new_17 * cal.OUTREACH_SHARE)
    noise = rng.normal(0.0, cal.LOCAL_AR_SIGMA * np.sqrt(1 - cal.LOCAL_AR_PHI**2), calendar.n_days)
    phi = cal.LOCAL_AR_PHI
    drift = np.fromiter(accumulate(noise.tolist(), lambda x, e: phi * x + e), float, len(noise))
    mean = mean * election * np.exp(drift - cal.LOCAL_AR_SIGMA**2 / 2)
    day_factor = rng.gamma(cal.DAY_GAMMA_SHAPE, 1 / cal.DAY_GAMMA_SHAPE, calendar.n_days)
    requests = rng.poisson(mean * day_factor).astype(np.int64)
    return OfficeDemand(code=code, annual=annual_demand(population) * local, requests=requests)


def _outreach(rng: np.random.Generator, calendar: DemoCalendar, yearly: float) -> np.ndarray:
    """Extra requests of the office's school campaigns (jemput bola): each runs ten
    working days, starting on a random working day of its window."""
    extra = np.zeros(calendar.n_days)
    end = calendar.day(calendar.n_days - 1)
    for year in range(calendar.start.year, end.year + 1):
        windows = [(year, m1, d1, m2, d2) for m1, d1, m2, d2 in cal.OUTREACH_WINDOWS]
        if cal.ELECTION_OUTREACH_WINDOW[0] == year:
            windows.append(cal.ELECTION_OUTREACH_WINDOW)
        per_day = yearly / len(windows) / cal.OUTREACH_OPEN_DAYS
        for y, m1, d1, m2, d2 in windows:
            lo, hi = calendar.index(date(y, m1, d1)), calendar.index(date(y, m2, d2))
            # Drawn even when the window lies outside the range, to keep streams aligned.
            pick = int(rng.integers(0, max(hi - lo, 1)))
            t, days_run = lo + pick, 0
            while days_run < cal.OUTREACH_OPEN_DAYS and t < calendar.n_days:
                if t >= 0 and calendar.office_open[t]:
                    extra[t] += per_day
                    days_run += 1
                elif t < 0:
                    days_run += 1  # a campaign day before the range: not simulated
                t += 1
    return extra
