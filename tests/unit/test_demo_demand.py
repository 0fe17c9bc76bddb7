"""The demo's demand model without a database: working calendar, Lebaran, population
scaling, and draws that depend only on the seed and the office."""

from datetime import date

import numpy as np
import pytest

from blangko.demo import calibration as cal
from blangko.demo.demand import (
    DemoCalendar,
    OfficeDemand,
    annual_demand,
    build_calendar,
    election_factor,
    ikd_share,
    office_demand,
    office_rng,
)
from blangko.offices import region_list

START = date(2022, 1, 1)
DAYS = 1096


@pytest.fixture(scope="module")
def calendar() -> DemoCalendar:
    return build_calendar(START, DAYS)


def at(calendar: DemoCalendar, value: date) -> int:
    return calendar.index(value)


def test_offices_close_on_sundays_holidays_and_cuti_bersama(calendar: DemoCalendar) -> None:
    closed = [
        date(2022, 1, 2),  # Sunday
        date(2022, 8, 17),  # Independence Day
        date(2023, 4, 22),  # Idul Fitri (a Saturday)
        date(2023, 4, 19),  # cuti bersama before Idul Fitri
        date(2023, 4, 25),  # cuti bersama after
        date(2024, 2, 14),  # election day
    ]
    for day in closed:
        assert not calendar.office_open[at(calendar, day)], day
        assert calendar.weight[at(calendar, day)] == 0, day
    saturday, monday = at(calendar, date(2022, 3, 5)), at(calendar, date(2022, 3, 7))
    assert calendar.office_open[saturday] and not calendar.national_open[saturday]
    assert calendar.weight[saturday] == pytest.approx(cal.SATURDAY_WEIGHT)
    assert calendar.national_open[monday] and calendar.weight[monday] == 1.0


def test_lebaran_dips_then_surges(calendar: DemoCalendar) -> None:
    # Idul Fitri 2 May 2022: quieter before, slow right after, catch-up weeks later.
    before = calendar.weight[at(calendar, date(2022, 4, 26))]
    slow = calendar.weight[at(calendar, date(2022, 5, 10))]
    surge = calendar.weight[at(calendar, date(2022, 5, 23))]
    normal = calendar.weight[at(calendar, date(2022, 3, 14))]
    assert before < normal and slow < normal < surge


def test_each_year_of_weights_sums_to_one_year(calendar: DemoCalendar) -> None:
    shares = calendar.weight / calendar.year_total
    for year in (2022, 2023, 2024):
        assert shares[calendar.years == year].sum() == pytest.approx(1.0)


def test_election_ramp_and_ikd_rollout(calendar: DemoCalendar) -> None:
    election = election_factor(calendar)
    assert election[at(calendar, date(2022, 6, 1))] == 1.0
    assert election[at(calendar, date(2024, 2, 13))] == pytest.approx(1.25)
    assert election[at(calendar, date(2024, 2, 20))] < 1.0  # the lull after the vote
    assert election[at(calendar, date(2024, 6, 1))] == 1.0
    ikd = ikd_share(calendar)
    assert ikd[at(calendar, date(2022, 11, 1))] == 0.0
    assert ikd[at(calendar, date(2023, 8, 1))] == pytest.approx(0.5)


def _draw(seed: int, code: str, population: int, calendar: DemoCalendar) -> OfficeDemand:
    return office_demand(
        code=code,
        population=population,
        rng=office_rng(seed, code),
        calendar=calendar,
        election=election_factor(calendar),
    )


def test_draws_depend_only_on_seed_and_office(calendar: DemoCalendar) -> None:
    first = _draw(7, "32.16", 3_387_601, calendar).requests
    again = _draw(7, "32.16", 3_387_601, calendar).requests
    other_seed = _draw(8, "32.16", 3_387_601, calendar).requests
    other_office = _draw(7, "12.71", 3_387_601, calendar).requests
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other_seed)
    assert not np.array_equal(first, other_office)
    assert first[~calendar.office_open].sum() == 0  # nobody is served on closed days


def test_demand_is_proportional_to_population() -> None:
    """Stated tolerance: each kab/kota's 2022 print requests lie within ±25 % of its
    population times the national rate per person (the local factor is capped at ±15 %;
    the rest is outreach timing and noise), and the national total within 2 % of the
    16 M a year of FACTS §2–3."""
    calendar = build_calendar(date(2022, 1, 1), 365)
    election = election_factor(calendar)
    kabs = [o for o in region_list() if o.province_code and o.code != o.province_code]
    totals, expected = [], []
    for office in kabs:
        drawn = office_demand(
            code=office.code,
            population=office.population,
            rng=office_rng(2024, office.code),
            calendar=calendar,
            election=election,
        )
        totals.append(drawn.requests.sum())
        expected.append(annual_demand(office.population))
    ratio = np.array(totals) / np.array(expected)
    assert len(kabs) == 514
    assert ratio.min() > 0.75 and ratio.max() < 1.25, (ratio.min(), ratio.max())
    slope = np.polyfit(np.log(expected), np.log(totals), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.03)
    assert sum(totals) == pytest.approx(cal.NEW_17_PER_YEAR + cal.REPLACEMENTS_PER_YEAR, rel=0.02)
