"""The national shape of the simulated history for all 553 offices, 2022–2024, checked
against the public figures (FACTS §1–9) without a database: monthly prints in normal
months, the 2022 and 2023 stock-outs, rationing, spoilage, deliveries."""

from collections import Counter
from datetime import date

import numpy as np
import pytest

from blangko.demo import calibration as cal
from blangko.demo.records import History, Place
from blangko.demo.summary import months
from blangko.demo.supply import simulate
from blangko.models import RequestStatus, ShipmentStatus
from blangko.offices import region_list

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def history() -> History:
    places = [Place(o.code, o.name, o.kind, o.province_code, o.population) for o in region_list()]
    return simulate(places, date(2022, 1, 1), 1096, seed=2024)


def national_backlog(history: History, day: date) -> int:
    return int(history.backlog[:, history.calendar.index(day)].sum())


def window(history: History, values: np.ndarray, first: date, last: date) -> int:
    a, b = history.calendar.index(first), history.calendar.index(last)
    return int(values[:, a : b + 1].sum())


def test_normal_months_print_one_to_two_million(history: History) -> None:
    """FACTS §2: 1–1.5 M a month (2022), ~1.4–2 M in 2023 before the election."""
    normal = [m for m in months(history) if m.normal]
    assert all(1_000_000 <= m.printed <= 2_000_000 for m in normal), [
        (m.first, m.printed) for m in normal
    ]
    firsts = {m.first for m in normal}
    # Before the 2022 shortage and the whole of 2024 after the election are normal.
    assert {date(2022, m, 1) for m in range(1, 7)} <= firsts
    assert {date(2024, m, 1) for m in range(3, 13)} <= firsts
    assert len(normal) >= 20


def test_national_stock_outs_show_as_backlog(history: History) -> None:
    """FACTS §4: no blanks in Aug–Sep 2022 (back 5 Oct); out from the last week of July
    to 4 Aug 2023."""
    normal = np.median([m.backlog_end for m in months(history) if m.normal])
    sep_2022 = national_backlog(history, date(2022, 9, 30))
    jul_2023 = max(
        national_backlog(history, day)
        for day in (date(2023, 7, 31), date(2023, 8, 3), date(2023, 8, 7), date(2023, 8, 10))
    )
    mid_jul_2023 = national_backlog(history, date(2023, 7, 14))
    assert sep_2022 > 20 * normal
    assert jul_2023 > 3 * normal
    assert jul_2023 > 1.5 * mid_jul_2023  # it grows during the outage itself
    sep_prints = window(history, history.printed, date(2022, 9, 1), date(2022, 9, 30))
    assert sep_prints < 100_000
    suket_2023 = window(history, history.suket, date(2023, 7, 24), date(2023, 8, 10))
    suket_2024 = window(history, history.suket, date(2024, 7, 24), date(2024, 8, 10))
    assert suket_2023 > 5 * suket_2024
    stock = history.national_stock
    assert stock[history.calendar.index(date(2022, 9, 15))] < 0.01 * cal.LOT_SIZE
    assert stock[history.calendar.index(date(2023, 8, 1))] < 0.05 * cal.LOT_SIZE


def test_procurement_follows_the_2023_tranches(history: History) -> None:
    """FACTS §1: three 2023 tranches (their sum is one more than the 24,527,332 total
    quoted with them)."""
    by_year: Counter[int] = Counter()
    for p in history.procurements:
        by_year[history.calendar.day(p.day).year] += p.quantity
    assert by_year[2023] == 10_450_518 + 2_683_032 + 11_393_783
    assert by_year[2022] == 4_600_000 + 2_600_000 + 3_100_000
    t3 = [p for p in history.procurements if p.reference.startswith("PNBP 2023")]
    assert history.calendar.day(t3[0].day) == date(2023, 8, 4)


def test_allocations_are_rationed_only_when_the_centre_runs_low(history: History) -> None:
    decided = [letter for letter in history.letters if letter.decided_day is not None]
    partial = [
        letter
        for letter in decided
        if letter.status is RequestStatus.approved and (letter.approved or 0) < letter.quantity
    ]
    refused = [letter for letter in decided if letter.status is RequestStatus.rejected]
    assert partial and refused
    for letter in partial + refused:
        assert letter.reason
    # A year after the 2023 tranche, with millions at the centre, letters are met in full.
    calm = [
        letter
        for letter in decided
        if date(2024, 7, 1) <= history.calendar.day(letter.decided_day or 0) <= date(2024, 9, 30)
    ]
    assert calm and all(letter.status is RequestStatus.approved for letter in calm)
    assert all(letter.approved == letter.quantity for letter in calm)


def test_spoilage_deliveries_and_ikd(history: History) -> None:
    spoiled = history.spoiled.sum()
    share = spoiled / (spoiled + history.printed.sum())
    assert share == pytest.approx(cal.SPOIL_RATE, abs=0.001)  # FACTS §9: ~1.7 %
    causes = history.spoiled.sum(axis=(0, 1)) / spoiled
    assert causes == pytest.approx(cal.SPOIL_CAUSE_SHARES, abs=0.01)
    statuses = Counter(c.status for c in history.consignments)
    short = statuses[ShipmentStatus.received_short] / len(history.consignments)
    assert 0.01 < short < 0.03
    assert statuses[ShipmentStatus.cancelled] > 0
    senders = Counter(
        "national" if c.sender == "00" else "province" if "." not in c.sender else "kab/kota"
        for c in history.consignments
    )
    assert senders["national"] > senders["province"] > 0 and senders["kab/kota"] > 0
    before_ikd = history.calendar.index(date(2022, 12, 1))
    assert history.ikd[:, :before_ikd].sum() == 0
    assert history.ikd[:, history.calendar.index(date(2023, 9, 1)) :].sum() > 0
