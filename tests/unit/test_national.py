"""The national forecast's pure parts (issue 13 items 1 and 3): the procurement timing
rule with hand-made figures whose answer is known, and the monthly band of sampled
demand paths (a month's band is the band of its total, not the sum of daily bands)."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from blangko.offices import planner_today
from forecast.national import (
    CANDIDATES,
    NATIONAL_PROPHET,
    NATIONAL_WEEKDAY_MEDIAN,
    OFFICES_WEEKDAY_MEDIAN,
    CandidateScores,
    NationalSettings,
    backtest_cuts,
    choose,
    election_regressor,
    horizon_days,
    month_spans,
    monthly_band,
    total_error,
)
from forecast.national_view import MODEL_LABELS
from forecast.procurement import Timing, next_tranche, target_cover, timing_sentence

FIRST = date(2027, 1, 1)
HORIZON, TARGET, LEAD = 365, 45, 60


def steady(
    stock: float, tranches: dict[date, int] | None = None, p80_factor: float = 1.0
) -> Timing:
    """A demand of 1,000 blanks every day (the p80 cumulative demand ``p80_factor`` times
    the mean's), ``stock`` on hand, target 45 days, lead 60 days."""
    days = HORIZON + LEAD + TARGET
    mean = np.full(days, 1000.0)
    return next_tranche(
        first_day=FIRST,
        start_stock=stock,
        tranches=tranches or {},
        mean=mean,
        cumulative_p80=np.cumsum(mean * p80_factor),
        horizon_days=HORIZON,
        target_days=TARGET,
        lead_days=LEAD,
    )


def test_constant_demand_falls_below_the_target_on_day_56_and_orders_lead_plus_target() -> None:
    # 100,000 − 1,000 a day: 45,000 (45 days' cover) at the end of day 55, below on day 56.
    timing = steady(100_000)
    assert timing.below_target_on == FIRST + timedelta(days=55) == date(2027, 2, 25)
    # A tranche counts in the end-of-day stock of its arrival: arriving on day 56 keeps
    # that day at the target.
    assert timing.arrive_by == date(2027, 2, 25)
    assert timing.order_by == date(2027, 2, 25) - timedelta(days=60) == date(2026, 12, 27)
    # It must carry the stock at 45 days' cover until a tranche ordered on its arrival can
    # arrive: 60 + 45 days of demand from arrival, less the 45,000 left the evening before.
    assert timing.quantity == 105_000 - 45_000 == 60_000
    assert timing.cover[0] == 45_000 and timing.stock[54] == 45_000


def test_the_next_tranche_keeps_the_stock_at_the_target_until_the_one_after_can_arrive() -> None:
    first = steady(100_000)
    assert first.arrive_by is not None and first.quantity is not None
    after = steady(100_000, tranches={first.arrive_by: first.quantity})
    assert after.below_target_on == first.arrive_by + timedelta(days=LEAD)
    assert after.order_by == first.arrive_by  # the following decision point: its arrival
    # The day before its arrival the stock is at the target, on arrival day back above it.
    assert first.stock[54] == first.cover[54] == 45_000
    assert after.stock[55] == 44_000 + 60_000 >= after.cover[55]


def test_planned_tranches_count_on_their_expected_date() -> None:
    # 50,000 on day 41 moves everything 50 days later; the quantity stays 60,000.
    later = steady(100_000, tranches={FIRST + timedelta(days=40): 50_000})
    assert later.below_target_on == FIRST + timedelta(days=105)
    assert later.order_by == later.arrive_by - timedelta(days=60) == FIRST + timedelta(days=45)
    assert later.quantity == 60_000
    # A tranche due inside the next one's window makes the next one smaller by its size.
    inside = steady(100_000, tranches={FIRST + timedelta(days=80): 30_000})
    assert inside.below_target_on == FIRST + timedelta(days=55)
    assert inside.quantity == 30_000
    # An overdue tranche counts tomorrow (the first forecast day).
    overdue = steady(50_000, tranches={FIRST - timedelta(days=3): 50_000})
    assert overdue.below_target_on == FIRST + timedelta(days=55)


def test_the_rule_reads_the_80th_percentile_of_demand_not_the_mean() -> None:
    # p80 cumulative demand 1,100 a day: 100,000 − 1,100 × 50 = 45,000 on day 50.
    timing = steady(100_000, p80_factor=1.1)
    assert timing.below_target_on == FIRST + timedelta(days=50)
    # The shortfall peaks the day before a tranche ordered on arrival (day 51) could
    # arrive (day 111): 45,000 − (100,000 − 121,000).
    assert timing.quantity == 66_000


def test_quantities_are_rounded_up_to_a_thousand_blanks() -> None:
    timing = steady(100_500)
    assert timing.below_target_on == FIRST + timedelta(days=55)
    assert timing.quantity == 60_000  # 59,500 needed


def test_nothing_needed_within_the_horizon_gives_no_dates() -> None:
    timing = steady(1_000_000)  # 635,000 left after 365 days
    assert (timing.below_target_on, timing.quantity, timing.arrive_by, timing.order_by) == (
        None,
        None,
        None,
        None,
    )
    sentence = timing_sentence(
        below_target_on=None,
        quantity=None,
        arrive_by=None,
        order_by=None,
        target_days=45,
        horizon_end=date(2027, 12, 31),
        today=date(2026, 12, 31),
    )
    assert sentence == (
        "Stok nasional diperkirakan tetap di atas cakupan 45 hari sampai 31 Des 2027: tidak "
        "ada tahap pengadaan yang perlu dipesan dalam 12 bulan."
    )


def test_stock_already_below_the_target_asks_for_a_tranche_at_once() -> None:
    timing = steady(40_000)
    assert timing.below_target_on == FIRST and timing.arrive_by == FIRST
    assert timing.order_by == FIRST - timedelta(days=60)
    assert timing.quantity == 45_000 - (40_000 - 60_000)  # shortfall on day 60


def test_the_sentence_names_the_dates_in_indonesian() -> None:
    timing = steady(100_000)
    words = {
        "below_target_on": timing.below_target_on,
        "quantity": timing.quantity,
        "arrive_by": timing.arrive_by,
        "order_by": timing.order_by,
        "target_days": 45,
        "horizon_end": date(2027, 12, 31),
    }
    assert timing_sentence(**words, today=date(2026, 12, 1)) == (  # type: ignore[arg-type]
        "Stok nasional diperkirakan di bawah cakupan 45 hari pada 25 Feb 2027. Tahap "
        "pengadaan berikutnya: 60.000 keping, harus tiba paling lambat 25 Feb 2027, dipesan paling "
        "lambat 27 Des 2026."
    )
    late = timing_sentence(**words, today=date(2027, 1, 2))  # type: ignore[arg-type]
    assert late.endswith("Batas pemesanan sudah lewat: pesan segera.")


def test_target_cover_is_the_expected_demand_of_the_days_after() -> None:
    mean = np.arange(1.0, 11.0)  # 1, 2, …, 10
    assert target_cover(mean, 3).tolist() == [2 + 3 + 4, 3 + 4 + 5, 15, 18, 21, 24, 8 + 9 + 10]


# --- months ------------------------------------------------------------------------------


def test_twelve_months_are_the_rest_of_this_month_and_twelve_full_ones() -> None:
    first = date(2026, 12, 2)
    days = horizon_days(first, 12)
    spans = month_spans(first, days)
    assert len(spans) == 13
    assert spans[0] == (date(2026, 12, 1), 0, 30)
    assert spans[-1] == (date(2027, 12, 1), days - 31, 31)
    assert days == (date(2028, 1, 1) - first).days
    # Starting on the 1st: exactly twelve calendar months.
    assert horizon_days(date(2027, 1, 1), 12) == 365
    assert len(month_spans(date(2027, 1, 1), 365)) == 12
    assert [s[2] for s in month_spans(date(2027, 1, 1), 365)][:3] == [31, 28, 31]
    # The last day of a month: one day, then a whole year (never fewer than 365 days).
    assert horizon_days(date(2026, 12, 31), 12) == 1 + 365
    assert min(horizon_days(date(2026, 1, 1) + timedelta(days=d), 12) for d in range(800)) >= 365


def test_monthly_band_of_fully_correlated_days_is_the_sum_of_daily_bands() -> None:
    # Each path is one level for the whole year: a month's total moves with it.
    levels = np.linspace(0.8, 1.2, 1001)
    mean = np.full(59, 100.0)  # January and February 2027
    paths = levels[:, None] * mean[None, :]
    january, february = monthly_band(date(2027, 1, 1), mean, paths)
    assert (january.month, january.days, february.days) == (date(2027, 1, 1), 31, 28)
    assert january.mean == pytest.approx(3100)
    assert january.low == pytest.approx(np.percentile(levels, 10) * 3100)
    assert january.high == pytest.approx(np.percentile(levels, 90) * 3100)
    assert february.low == pytest.approx(np.percentile(levels, 10) * 2800)


def test_monthly_band_of_independent_days_is_far_narrower_than_the_sum_of_daily_bands() -> None:
    rng = np.random.default_rng(7)
    mean = np.full(31, 1000.0)
    paths = mean[None, :] + rng.normal(0, 100, size=(20_000, 31))
    [january] = monthly_band(date(2027, 1, 1), mean, paths)
    # The total of 31 independent days: sd 100 × √31; the 80 % band is ± 1.2816 sd.
    half = 1.2816 * 100 * np.sqrt(31)
    assert january.low == pytest.approx(31_000 - half, rel=0.002)
    assert january.high == pytest.approx(31_000 + half, rel=0.002)
    daily_sum = np.percentile(paths, 90, axis=0).sum() - np.percentile(paths, 10, axis=0).sum()
    assert january.high - january.low < daily_sum / 5  # 1/√31 of it


# --- backtest and model choice ---------------------------------------------------------


def test_total_errors_compare_the_known_days_only() -> None:
    actual = np.array([100.0, np.nan, 100.0, 100.0])
    forecast = np.array([110.0, 500.0, 110.0, 110.0])
    assert total_error(forecast, actual, 4) == pytest.approx(0.10)
    assert total_error(forecast, actual, 5) is None  # the block is shorter
    assert total_error(forecast, np.zeros(4), 4) is None


def test_the_lowest_backtest_mase_chooses_the_model() -> None:
    scores = {name: CandidateScores() for name in CANDIDATES}
    scores[NATIONAL_PROPHET].by_origin = {300: 1.2, 360: 1.0}
    scores[NATIONAL_WEEKDAY_MEDIAN].by_origin = {300: 1.5, 360: 1.5}
    scores[OFFICES_WEEKDAY_MEDIAN].by_origin = {300: 0.9, 360: 1.0}
    assert choose(scores) == OFFICES_WEEKDAY_MEDIAN
    scores[OFFICES_WEEKDAY_MEDIAN].by_origin = {}  # could not be scored
    assert choose(scores) == NATIONAL_PROPHET
    assert choose({name: CandidateScores() for name in scores}) == NATIONAL_WEEKDAY_MEDIAN


def scored(mase_by_origin: dict[int, float]) -> CandidateScores:
    """A candidate whose forecast at each origin missed by the given MASE."""
    candidate = CandidateScores()
    for cut, mase in mase_by_origin.items():
        candidate.add(cut, np.full(14, 10.0 + mase), np.full(14, 10.0), scale=1.0)
    return candidate


def test_models_are_compared_on_the_origins_all_of_them_were_scored_on() -> None:
    # Prophet was skipped at the two early origins (too little history then), the
    # fallbacks were scored on all three. Their early misses say nothing against Prophet:
    # over their own origins the means are 1.0, 2.3 and 2.03, at the shared one 1.0,
    # 0.9 and 1.1.
    scores = {
        NATIONAL_PROPHET: scored({420: 1.0}),
        NATIONAL_WEEKDAY_MEDIAN: scored({300: 3.0, 360: 3.0, 420: 0.9}),
        OFFICES_WEEKDAY_MEDIAN: scored({300: 2.5, 360: 2.5, 420: 1.1}),
    }
    assert scores[NATIONAL_WEEKDAY_MEDIAN].mase == pytest.approx(2.3)
    assert choose(scores) == NATIONAL_WEEKDAY_MEDIAN


def test_a_candidate_records_its_mase_per_origin() -> None:
    candidate = CandidateScores()
    actual = np.full(14, 10.0)
    candidate.add(300, np.full(14, 12.0), actual, scale=2.0)
    candidate.add(360, np.full(14, 10.0), np.full(14, np.nan), scale=2.0)  # nothing known
    assert candidate.by_origin == {300: 1.0}
    assert candidate.mase == 1.0


def test_backtest_origins_lie_in_the_last_year_each_followed_by_its_block() -> None:
    cuts = backtest_cuts(1126, NationalSettings())
    assert cuts == [1126 - 300, 1126 - 240, 1126 - 180]
    assert backtest_cuts(200, NationalSettings()) == []  # too short to train and test


def test_the_election_regressor_covers_the_run_up_to_the_vote() -> None:
    index = pd.date_range("2023-08-01", "2024-03-01", freq="D")
    values = election_regressor(index)
    on = index[values == 1]
    assert on[0] == pd.Timestamp("2023-08-18")  # 180 days before 14 Feb 2024
    assert on[-1] == pd.Timestamp("2024-02-13")
    assert values.sum() == 180


def test_the_planners_today_is_the_date_in_wib() -> None:
    assert planner_today(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert planner_today(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_every_candidate_has_a_name_for_the_page() -> None:
    assert set(MODEL_LABELS) == set(CANDIDATES)
