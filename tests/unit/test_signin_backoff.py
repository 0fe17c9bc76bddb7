"""The sign-in backoff: free attempts up to the limit, then a wait that doubles with
each further failure, up to an hour."""

from datetime import UTC, datetime, timedelta

from blangko.signin import locked_until

LAST = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_no_wait_below_the_limit() -> None:
    assert locked_until(4, LAST, limit=5) is None


def test_the_wait_doubles_after_the_limit_up_to_an_hour() -> None:
    waits = [locked_until(n, LAST, limit=5) for n in range(5, 13)]
    minutes = [(w - LAST) / timedelta(minutes=1) for w in waits if w is not None]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]
    assert locked_until(10_000, LAST, limit=5) == LAST + timedelta(hours=1)
