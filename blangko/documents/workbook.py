"""Excel workbooks (openpyxl) of the monthly reports and of other tables (the province
quotas): numbers as numbers, the month as a date, Indonesian headers, the header row
frozen."""

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from blangko.documents.monthly import COLUMNS, MonthlyRow

HEADERS = ["Kode", "Nama", "Bulan", *(c.header for c in COLUMNS), "Selisih rekonsiliasi"]
NUMBER_FORMAT = "#,##0"
DATE_FORMAT = "mmmm yyyy"


def monthly_workbook(sheets: Sequence[tuple[str, Sequence[MonthlyRow]]]) -> bytes:
    """One sheet per ``(title, rows)``, one row per office or roll-up."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(HEADERS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(
                [
                    row.code,
                    row.name,
                    row.month,
                    *(getattr(row, c.name) for c in COLUMNS),
                    row.computed_closing - row.closing,
                ]
            )
        for cells in sheet.iter_rows(min_row=2):
            cells[2].number_format = DATE_FORMAT
            for cell in cells[3:]:
                cell.number_format = NUMBER_FORMAT
        sheet.freeze_panes = "C2"  # the header row, and the code and name beside the figures
        sheet.column_dimensions["B"].width = 36
        for index in range(3, len(HEADERS) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_workbook(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]], *, labels: int = 2
) -> bytes:
    """One sheet per ``(title, headers, rows)``: a bold header row, the rows' cells as they
    are (``None`` an empty cell), whole numbers grouped; the header row and the first
    ``labels`` columns (code and name) frozen."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, int):
                    cell.number_format = NUMBER_FORMAT
        sheet.freeze_panes = sheet.cell(row=2, column=labels + 1).coordinate
        sheet.column_dimensions["B"].width = 36
        for index in range(labels + 1, len(headers) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
