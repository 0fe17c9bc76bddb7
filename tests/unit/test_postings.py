"""Posting rules (SPEC §3) without a database: which legs each business event makes."""

import pytest

from blangko import postings
from blangko.models import AccountKind as K
from blangko.postings import Leg

OFFICE, OTHER, NATIONAL = "32.16", "91.71", "00"


def test_procurement_moves_supply_into_national_stock() -> None:
    legs = postings.procurement(NATIONAL, 5000)
    assert legs == [Leg((NATIONAL, K.supply), (NATIONAL, K.stock), 5000)]
    assert postings.net_changes(legs) == {(NATIONAL, K.supply): -5000, (NATIONAL, K.stock): 5000}


def test_dispatch_moves_stock_into_own_transit() -> None:
    legs = postings.dispatch(OFFICE, 40)
    assert legs == [Leg((OFFICE, K.stock), (OFFICE, K.transit), 40)]
    assert postings.net_changes(legs) == {(OFFICE, K.stock): -40, (OFFICE, K.transit): 40}


def test_full_receipt_empties_sender_transit_into_receiver_stock() -> None:
    legs = postings.receipt(NATIONAL, OFFICE, sent=300, received=300)
    assert legs == [Leg((NATIONAL, K.transit), (OFFICE, K.stock), 300)]


def test_short_receipt_books_the_shortfall_as_lost_at_the_receiver() -> None:
    legs = postings.receipt(NATIONAL, OFFICE, sent=300, received=280)
    assert legs == [
        Leg((NATIONAL, K.transit), (OFFICE, K.stock), 280),
        Leg((NATIONAL, K.transit), (OFFICE, K.lost), 20),
    ]
    assert postings.net_changes(legs) == {
        (NATIONAL, K.transit): -300,
        (OFFICE, K.stock): 280,
        (OFFICE, K.lost): 20,
    }


def test_receipt_of_nothing_loses_everything() -> None:
    legs = postings.receipt(OFFICE, OTHER, sent=12, received=0)
    assert legs == [Leg((OFFICE, K.transit), (OTHER, K.lost), 12)]


def test_cancel_returns_transit_to_sender_stock() -> None:
    legs = postings.cancel(OFFICE, 40)
    assert legs == [Leg((OFFICE, K.transit), (OFFICE, K.stock), 40)]
    assert legs == postings.reversal(postings.dispatch(OFFICE, 40))


def test_daily_report_consumes_stock_into_printed_and_spoiled() -> None:
    legs = postings.daily_report(OFFICE, printed=95, spoiled=3)
    assert legs == [
        Leg((OFFICE, K.stock), (OFFICE, K.printed), 95),
        Leg((OFFICE, K.stock), (OFFICE, K.spoiled), 3),
    ]
    assert postings.net_changes(legs) == {
        (OFFICE, K.stock): -98,
        (OFFICE, K.printed): 95,
        (OFFICE, K.spoiled): 3,
    }


def test_daily_report_leaves_out_zero_legs() -> None:
    assert postings.daily_report(OFFICE, printed=10, spoiled=0) == [
        Leg((OFFICE, K.stock), (OFFICE, K.printed), 10)
    ]
    assert postings.daily_report(OFFICE, printed=0, spoiled=0) == []


def test_stock_count_below_book_moves_the_difference_to_adjustment() -> None:
    legs = postings.stock_count(OFFICE, book=100, counted=93)
    assert legs == [Leg((OFFICE, K.stock), (OFFICE, K.adjustment), 7)]
    assert postings.net_changes(legs)[(OFFICE, K.stock)] == -7


def test_stock_count_above_book_brings_found_blanks_from_adjustment() -> None:
    legs = postings.stock_count(OFFICE, book=100, counted=104)
    assert legs == [Leg((OFFICE, K.adjustment), (OFFICE, K.stock), 4)]
    assert postings.net_changes(legs)[(OFFICE, K.stock)] == 4


def test_stock_count_equal_to_book_posts_nothing() -> None:
    assert postings.stock_count(OFFICE, book=100, counted=100) == []
    assert postings.stock_count(OFFICE, book=0, counted=0) == []


@pytest.mark.parametrize(
    "legs",
    [
        postings.procurement(NATIONAL, 10),
        postings.receipt(NATIONAL, OFFICE, sent=10, received=7),
        postings.daily_report(OFFICE, printed=5, spoiled=2),
        postings.stock_count(OFFICE, book=3, counted=9),
    ],
)
def test_reversal_mirrors_every_leg_and_cancels_its_changes(legs: list[Leg]) -> None:
    mirrored = postings.reversal(legs)
    assert [(m.source, m.target, m.quantity) for m in mirrored] == [
        (leg.target, leg.source, leg.quantity) for leg in legs
    ]
    back = postings.net_changes(mirrored)
    forth = postings.net_changes(legs)
    assert back == {ref: -delta for ref, delta in forth.items()}
    assert postings.reversal(mirrored) == legs


@pytest.mark.parametrize(
    "legs",
    [
        postings.procurement(NATIONAL, 10),
        postings.dispatch(OFFICE, 4),
        postings.receipt(OFFICE, OTHER, sent=10, received=3),
        postings.daily_report(OFFICE, printed=5, spoiled=2),
        postings.stock_count(OFFICE, book=3, counted=1),
    ],
)
def test_every_event_keeps_the_ledger_balanced(legs: list[Leg]) -> None:
    assert sum(postings.net_changes(legs).values()) == 0
    assert all(leg.quantity > 0 for leg in legs)


def test_net_changes_adds_up_legs_on_the_same_account() -> None:
    legs = [
        Leg((OFFICE, K.stock), (OFFICE, K.printed), 5),
        Leg((OFFICE, K.stock), (OFFICE, K.printed), 6),
        Leg((OFFICE, K.printed), (OFFICE, K.stock), 2),
    ]
    assert postings.net_changes(legs) == {(OFFICE, K.stock): -9, (OFFICE, K.printed): 9}


def test_would_go_negative_names_only_stock_accounts_taken_below_zero() -> None:
    balances = {(OFFICE, K.stock): 10, (OTHER, K.stock): 0}
    assert postings.would_go_negative(balances, postings.daily_report(OFFICE, 8, 2)) == []
    assert postings.would_go_negative(balances, postings.daily_report(OFFICE, 8, 3)) == [
        (OFFICE, K.stock)
    ]
    # The producer's supply and a transit account are not stock: they are never named.
    assert postings.would_go_negative(balances, postings.procurement(NATIONAL, 10**6)) == []
    assert postings.would_go_negative({}, postings.cancel(OTHER, 5)) == []
    # An office without a balance yet counts as zero.
    assert postings.would_go_negative({}, postings.dispatch(OTHER, 1)) == [(OTHER, K.stock)]


def test_would_go_negative_judges_the_net_change_of_the_whole_movement() -> None:
    legs = [
        Leg((OFFICE, K.adjustment), (OFFICE, K.stock), 5),
        Leg((OFFICE, K.stock), (OFFICE, K.printed), 12),
    ]
    assert postings.would_go_negative({(OFFICE, K.stock): 7}, legs) == []
    assert postings.would_go_negative({(OFFICE, K.stock): 6}, legs) == [(OFFICE, K.stock)]
