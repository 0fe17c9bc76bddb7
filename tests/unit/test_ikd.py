"""The IKD share and its periods (blangko.ikd): activations ÷ blanks received, none without
receipts, 50 % as the line, the 90 days ending today and the year since 1 January."""

from datetime import date

from blangko.ikd import IkdCompliance, below_target, share, window_starts


def test_share_is_activations_over_blanks_received() -> None:
    assert share(400, 1000) == 0.4
    assert share(1500, 1000) == 1.5  # more activations than blanks: not capped
    assert share(1, 3) == 0.3333


def test_no_receipts_means_no_share() -> None:
    assert share(0, 0) is None
    assert share(25, 0) is None


def test_below_target_is_strictly_under_half_and_never_without_receipts() -> None:
    assert below_target(0.4999)
    assert not below_target(0.5)
    assert not below_target(None)


def test_windows_are_ninety_days_ending_today_and_the_calendar_year() -> None:
    assert window_starts(date(2026, 3, 16)) == (date(2025, 12, 17), date(2026, 1, 1))
    assert window_starts(date(2026, 1, 1)) == (date(2025, 10, 4), date(2026, 1, 1))


def test_compliance_without_the_year_has_no_year_share() -> None:
    figures = IkdCompliance("32.16", activations_90d=400, received_90d=1000)
    assert figures.share_90d == 0.4 and below_target(figures.share_90d)
    assert figures.share_ytd is None
    year = IkdCompliance("32.16", 400, 1000, activations_ytd=300, received_ytd=400)
    assert year.share_ytd == 0.75
