"""Posting rules: which entries each business event makes. Plain data in, plain data out,
so the rules can be tested without a database (SPEC §3)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from blangko.models import AccountKind

AccountRef = tuple[str, AccountKind]  # (office code, account kind)


@dataclass(frozen=True)
class Leg:
    """``quantity`` blanks from one account to another."""

    source: AccountRef
    target: AccountRef
    quantity: int


def _legs(*legs: Leg) -> list[Leg]:
    return [leg for leg in legs if leg.quantity > 0]


def procurement(national: str, quantity: int) -> list[Leg]:
    return _legs(Leg((national, AccountKind.supply), (national, AccountKind.stock), quantity))


def dispatch(from_office: str, quantity: int) -> list[Leg]:
    return _legs(
        Leg((from_office, AccountKind.stock), (from_office, AccountKind.transit), quantity)
    )


def receipt(from_office: str, to_office: str, sent: int, received: int) -> list[Leg]:
    """The received blanks go into the receiver's stock; a shortfall is lost on the way."""
    transit = (from_office, AccountKind.transit)
    return _legs(
        Leg(transit, (to_office, AccountKind.stock), received),
        Leg(transit, (to_office, AccountKind.lost), sent - received),
    )


def cancel(from_office: str, quantity: int) -> list[Leg]:
    return _legs(
        Leg((from_office, AccountKind.transit), (from_office, AccountKind.stock), quantity)
    )


def daily_report(office: str, printed: int, spoiled: int) -> list[Leg]:
    stock = (office, AccountKind.stock)
    return _legs(
        Leg(stock, (office, AccountKind.printed), printed),
        Leg(stock, (office, AccountKind.spoiled), spoiled),
    )


def stock_count(office: str, book: int, counted: int) -> list[Leg]:
    """Brings the book balance to the counted quantity through the adjustment account."""
    stock, adjustment = (office, AccountKind.stock), (office, AccountKind.adjustment)
    if counted < book:
        return _legs(Leg(stock, adjustment, book - counted))
    return _legs(Leg(adjustment, stock, counted - book))


def reversal(legs: Iterable[Leg]) -> list[Leg]:
    return [Leg(leg.target, leg.source, leg.quantity) for leg in legs]


def net_changes(legs: Iterable[Leg]) -> dict[AccountRef, int]:
    """Each account's change: what it receives minus what it sends."""
    change: dict[AccountRef, int] = defaultdict(int)
    for leg in legs:
        change[leg.source] -= leg.quantity
        change[leg.target] += leg.quantity
    return dict(change)


def would_go_negative(balances: Mapping[AccountRef, int], legs: Iterable[Leg]) -> list[AccountRef]:
    """The stock accounts that these legs would take below zero."""
    return [
        ref
        for ref, delta in net_changes(legs).items()
        if ref[1] is AccountKind.stock and balances.get(ref, 0) + delta < 0
    ]
