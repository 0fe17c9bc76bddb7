"""Procurement timing (issue 13 item 3): when national stock falls below the target cover
and what the next tranche from the producer must be. Pure functions of the projected
demand and the stock position, unit-tested with hand-made figures.

The rule, day by day over the horizon (days are indexed from the first forecast day; a
day's stock is its end-of-day stock):

- **stock** = the national stock position today + open tranches on their expected dates
  − the 80th percentile of cumulative demand (the stock a planner can count on four
  times in five);
- **target cover** on a day = the expected (mean) demand of the ``target_days`` after it;
- the stock **falls below the target** on the first day its stock is below its cover;
- the next tranche must **arrive by** that day: a tranche counts in the end-of-day stock
  of the day it arrives, so arriving then keeps the day at the target (the first
  forecast day when the stock is below the target already); it must be **ordered by**
  ``lead_days`` before that;
- its **quantity** keeps the stock at or above the target cover from its arrival until
  a tranche ordered on the day it arrives (the following decision point) could arrive:
  the largest shortfall below the cover over the ``lead_days`` days from ``arrive_by``
  on, rounded up to a thousand blanks. With a steady demand that is the demand of
  ``lead_days + target_days`` days from arrival, less the stock projected on hand the
  evening before.

Nothing is needed (all None) when the stock stays at or above the cover over the horizon."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from blangko.fmt import day, number

ROUND_TO = 1_000


@dataclass(frozen=True)
class Timing:
    """The next tranche, and the paths it was read from (``horizon_days`` long)."""

    stock: np.ndarray
    """End-of-day stock against the p80 cumulative demand, tranches included."""
    cover: np.ndarray
    """Target cover: expected demand of the ``target_days`` after each day."""
    below_target_on: date | None
    quantity: int | None
    arrive_by: date | None
    order_by: date | None


def target_cover(mean: np.ndarray, target_days: int) -> np.ndarray:
    """For each day with ``target_days`` of forecast after it, the expected demand of the
    ``target_days`` days after it (so len(mean) − target_days values)."""
    after = np.concatenate([[0.0], np.cumsum(mean)])
    days = len(mean) - target_days
    return after[1 + target_days : 1 + target_days + days] - after[1 : 1 + days]


def arrivals_by_day(first_day: date, tranches: Mapping[date, int], days: int) -> np.ndarray:
    """Blanks arriving each day; an overdue tranche counts on ``first_day``."""
    arrivals = np.zeros(days)
    for expected_on, quantity in tranches.items():
        offset = max((expected_on - first_day).days, 0)
        if offset < days:
            arrivals[offset] += quantity
    return arrivals


def next_tranche(
    *,
    first_day: date,
    start_stock: float,
    tranches: Mapping[date, int],
    mean: np.ndarray,
    cumulative_p80: np.ndarray,
    horizon_days: int,
    target_days: int,
    lead_days: int,
) -> Timing:
    """The rule of the module docstring. ``mean`` (expected daily demand) must reach
    ``horizon_days + lead_days + target_days`` days, ``cumulative_p80`` (the 80th
    percentile of cumulative demand) ``horizon_days + lead_days``."""
    days = horizon_days + lead_days
    if len(mean) < days + target_days or len(cumulative_p80) < days:
        raise ValueError("the demand must reach the horizon + lead + target days")
    arrivals = arrivals_by_day(first_day, tranches, days)
    stock = start_stock + np.cumsum(arrivals) - cumulative_p80[:days]
    cover = target_cover(mean[: days + target_days], target_days)
    short = cover - stock
    below = np.flatnonzero(short[:horizon_days] > 0)
    if not below.size:
        return Timing(stock[:horizon_days], cover[:horizon_days], None, None, None, None)
    arrive = int(below[0])
    need = float(short[arrive : arrive + max(lead_days, 1)].max())
    quantity = int(np.ceil(need / ROUND_TO) * ROUND_TO)
    arrive_by = first_day + timedelta(days=arrive)
    return Timing(
        stock=stock[:horizon_days],
        cover=cover[:horizon_days],
        below_target_on=first_day + timedelta(days=int(below[0])),
        quantity=quantity,
        arrive_by=arrive_by,
        order_by=arrive_by - timedelta(days=lead_days),
    )


def timing_sentence(
    *,
    below_target_on: date | None,
    quantity: int | None,
    arrive_by: date | None,
    order_by: date | None,
    target_days: int,
    horizon_end: date,
    today: date,
) -> str:
    """What the planner's page and the daily digest say about the next tranche."""
    if below_target_on is None or arrive_by is None or order_by is None:
        return (
            f"Stok nasional diperkirakan tetap di atas cakupan {target_days} hari sampai "
            f"{day(horizon_end)}: tidak ada tahap pengadaan yang perlu dipesan dalam 12 bulan."
        )
    sentence = (
        f"Stok nasional diperkirakan di bawah cakupan {target_days} hari pada "
        f"{day(below_target_on)}. Tahap pengadaan berikutnya: {number(quantity)} keping, harus "
        f"tiba paling lambat {day(arrive_by)}, dipesan paling lambat {day(order_by)}."
    )
    if order_by < today:
        sentence += " Batas pemesanan sudah lewat: pesan segera."
    return sentence
