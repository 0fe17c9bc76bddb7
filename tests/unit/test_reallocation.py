"""The reallocation solver: known optimal answers on small cases, and the rules that must
hold on any input (no donor below its need, nothing moved that is not on hand, a fair
share when stock is short)."""

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.reallocation import NATIONAL, Costs, OfficeNeed, solve


def flows(plan) -> dict[tuple[str, str], int]:
    return {(m.source, m.target): m.quantity for m in plan.moves}


def test_national_stock_meets_every_deficit_when_no_office_has_surplus() -> None:
    offices = [
        OfficeNeed("11.01", "11", need=100, on_hand=40),
        OfficeNeed("12.01", "12", need=50, on_hand=10, incoming=15),
    ]
    plan = solve(offices, national_stock=1000)
    assert flows(plan) == {(NATIONAL, "11.01"): 60, (NATIONAL, "12.01"): 25}
    assert plan.coverage == 1.0
    assert plan.unmet == {}
    assert plan.total_cost == pytest.approx(85 * Costs().national)


def test_lateral_move_inside_the_province_is_preferred_to_national_stock() -> None:
    offices = [
        OfficeNeed("11.01", "11", need=100, on_hand=0),
        OfficeNeed("11.02", "11", need=50, on_hand=120),  # surplus 70
    ]
    plan = solve(offices, national_stock=1000)
    assert flows(plan) == {("11.02", "11.01"): 70, (NATIONAL, "11.01"): 30}
    assert plan.total_cost == pytest.approx(70 * 1.0 + 30 * 2.0)


def test_national_stock_is_preferred_to_a_donor_in_another_province() -> None:
    offices = [
        OfficeNeed("11.01", "11", need=100, on_hand=0),
        OfficeNeed("12.01", "12", need=50, on_hand=500),
    ]
    plan = solve(offices, national_stock=1000)
    assert flows(plan) == {(NATIONAL, "11.01"): 100}


def test_a_donor_in_another_province_fills_in_when_national_stock_is_empty() -> None:
    offices = [
        OfficeNeed("11.01", "11", need=100, on_hand=0),
        OfficeNeed("11.02", "11", need=100, on_hand=130),  # surplus 30, same province
        OfficeNeed("12.01", "12", need=50, on_hand=500),  # surplus 450
    ]
    plan = solve(offices, national_stock=0)
    assert flows(plan) == {("11.02", "11.01"): 30, ("12.01", "11.01"): 70}


def test_only_stock_on_hand_leaves_a_donor_and_never_below_its_need() -> None:
    # Position 130 against need 50, but only 30 blanks are physically there.
    donor = OfficeNeed("11.02", "11", need=50, on_hand=30, incoming=100)
    assert donor.surplus == 30
    plan = solve([OfficeNeed("11.01", "11", need=100, on_hand=0), donor], national_stock=0)
    assert flows(plan) == {("11.02", "11.01"): 30}
    assert plan.unmet == {"11.01": 70}


def test_shortage_goes_first_to_the_office_furthest_from_its_need() -> None:
    offices = [
        OfficeNeed("11.01", "11", need=100, on_hand=90),
        OfficeNeed("11.02", "11", need=100, on_hand=0),
    ]
    plan = solve(offices, national_stock=50)
    assert flows(plan) == {(NATIONAL, "11.02"): 50}
    assert plan.coverage == pytest.approx(0.5)
    assert plan.unmet == {"11.01": 10, "11.02": 50}


def test_shortage_is_shared_in_proportion_to_need() -> None:
    offices = [
        OfficeNeed("11.01", "11", need=200, on_hand=0),
        OfficeNeed("12.01", "12", need=100, on_hand=0),
    ]
    plan = solve(offices, national_stock=150)
    assert flows(plan) == {(NATIONAL, "11.01"): 100, (NATIONAL, "12.01"): 50}


def test_rounding_hands_out_every_available_blank_without_overshooting() -> None:
    offices = [OfficeNeed(f"11.0{i}", "11", need=10, on_hand=0) for i in range(1, 4)]
    plan = solve(offices, national_stock=10)
    received = sorted(m.quantity for m in plan.moves)
    assert received == [3, 3, 4]
    assert all(isinstance(m.quantity, int) for m in plan.moves)


def test_nothing_to_do_when_every_office_has_enough() -> None:
    plan = solve([OfficeNeed("11.01", "11", need=10, on_hand=10)], national_stock=100)
    assert plan.moves == []
    assert plan.coverage == 1.0


offices_strategy = st.lists(
    st.tuples(
        st.sampled_from(["11", "12", "13"]),
        st.integers(0, 500),
        st.integers(0, 500),
        st.integers(0, 200),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(rows=offices_strategy, national=st.integers(0, 2000))
def test_plan_rules_hold_on_any_input(rows: list[tuple[str, int, int, int]], national: int) -> None:
    offices = [
        OfficeNeed(f"{prov}.{i:02d}", prov, need=need, on_hand=hand, incoming=inc)
        for i, (prov, need, hand, inc) in enumerate(rows, start=1)
    ]
    by_code = {o.code: o for o in offices}
    plan = solve(offices, national_stock=national)
    sent: dict[str, int] = defaultdict(int)
    got: dict[str, int] = defaultdict(int)
    for move in plan.moves:
        assert move.quantity > 0
        sent[move.source] += move.quantity
        got[move.target] += move.quantity
    assert sent[NATIONAL] <= national
    for code, office in by_code.items():
        # Nothing moved that is not on hand; no donor below its own need.
        assert sent[code] <= office.on_hand
        if sent[code]:
            assert office.position - sent[code] >= office.need
            assert got[code] == 0
        assert got[code] <= office.deficit
    total_deficit = sum(o.deficit for o in offices)
    available = national + sum(o.surplus for o in offices)
    # Every blank that can help is used, and all needs are met when stock suffices.
    assert plan.total_moved == min(total_deficit, available)
    if available >= total_deficit:
        assert plan.unmet == {}
    else:
        # Fair share: every office with a deficit reaches the common cover fraction
        # (within one blank of rounding).
        for office in offices:
            if office.deficit and office.need:
                assert office.position + got[office.code] >= plan.coverage * office.need - 1
