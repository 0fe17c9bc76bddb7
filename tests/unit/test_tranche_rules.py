"""The status rules of a procurement tranche (issue 13 item 2): planned → ordered,
planned or ordered → cancelled; received only by receiving; received and cancelled final."""

import pytest

from blangko.models import TrancheStatus as S
from blangko.tranches import transition_error


@pytest.mark.parametrize(
    ("current", "wanted"),
    [(S.planned, S.ordered), (S.planned, S.cancelled), (S.ordered, S.cancelled)],
)
def test_allowed_changes(current: S, wanted: S) -> None:
    assert transition_error(current, wanted) is None


@pytest.mark.parametrize(
    ("current", "wanted", "words"),
    [
        (S.ordered, S.planned, "tidak dapat kembali menjadi direncanakan"),
        (S.ordered, S.ordered, "sudah berstatus dipesan"),
        (S.planned, S.received, "diterima lewat penerimaan"),
        (S.ordered, S.received, "diterima lewat penerimaan"),
        (S.received, S.cancelled, "sudah diterima; statusnya tidak dapat diubah lagi"),
        (S.received, S.ordered, "membalikkan mutasi pengadaannya"),  # the one way back
        (S.cancelled, S.ordered, "sudah dibatalkan; statusnya tidak dapat diubah lagi"),
        (S.cancelled, S.cancelled, "sudah dibatalkan"),
    ],
)
def test_refused_changes_say_why(current: S, wanted: S, words: str) -> None:
    problem = transition_error(current, wanted)
    assert problem is not None and words in problem


def test_only_a_received_tranche_points_to_reversing_its_procurement() -> None:
    cancelled = transition_error(S.cancelled, S.ordered)
    assert cancelled is not None and "membalikkan" not in cancelled
