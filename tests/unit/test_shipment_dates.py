"""The earliest day a receiver may date a shipment's arrival, without a database: each
office dates in its own time zone, so the dispatch day is read in the receiver's."""

from datetime import UTC, date, datetime, timedelta

import pytest

from blangko.models import Office, OfficeKind
from blangko.offices import WIB, WIT, WITA, day_begins_at, local_today
from blangko.shipments import earliest_arrival_on


def office(code: str, zone: str) -> Office:
    return Office(code=code, name=code, kind=OfficeKind.kota, timezone=zone)


JAYAPURA, MAKASSAR, BEKASI, BANDUNG = (
    office("91.71", WIT),
    office("73.71", WITA),
    office("32.16", WIB),
    office("32.04", WIB),
)
DEC_2 = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("sender", "receiver", "earliest"),
    [
        (JAYAPURA, BEKASI, date(2026, 12, 1)),  # 00.00 WIT = 22.00 WIB the day before
        (MAKASSAR, BEKASI, date(2026, 12, 1)),  # 00.00 WITA = 23.00 WIB the day before
        (JAYAPURA, MAKASSAR, date(2026, 12, 1)),  # 00.00 WIT = 23.00 WITA the day before
        (BEKASI, JAYAPURA, DEC_2),  # 00.00 WIB = 02.00 WIT: the receiver's day is later
        (BEKASI, MAKASSAR, DEC_2),
        (BEKASI, BANDUNG, DEC_2),  # one zone: the dispatch date itself
    ],
)
def test_earliest_arrival_is_the_receivers_date_when_the_dispatch_day_began(
    sender: Office, receiver: Office, earliest: date
) -> None:
    assert earliest_arrival_on(DEC_2, sender, receiver) == earliest


@pytest.mark.parametrize("sender", [JAYAPURA, MAKASSAR, BEKASI])
@pytest.mark.parametrize("receiver", [JAYAPURA, MAKASSAR, BANDUNG])
def test_a_receiver_can_date_a_receipt_today_at_any_hour_of_the_dispatch_day(
    sender: Office, receiver: Office
) -> None:
    """Whenever in the sender's day the shipment leaves, the receiver's today at that
    moment is allowed; the receiver's day before the earliest ended before the sender's
    dispatch day began (a receipt dated then is truly before the dispatch)."""
    start = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    for minutes in range(0, 48 * 60, 30):
        now = start + timedelta(minutes=minutes)
        dispatched_on = local_today(sender, now)
        earliest = earliest_arrival_on(dispatched_on, sender, receiver)
        assert earliest <= local_today(receiver, now)
        began = day_begins_at(sender, dispatched_on)
        assert day_begins_at(receiver, earliest) <= began
        assert began < day_begins_at(receiver, earliest + timedelta(days=1))
