from datetime import date

from blangko.months import month_end


def test_month_end_knows_leap_years_and_december() -> None:
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert month_end(date(2027, 2, 1)) == date(2027, 2, 28)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
