"""Helpers of the document tests: the text of a PDF (pypdf) and the cells of a workbook
(openpyxl), as a person reading the file would find them."""

import io

from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """All pages' text, with runs of white space made single spaces."""
    assert content.startswith(b"%PDF-"), content[:40]
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def has(text: str, phrase: str) -> bool:
    """Whether the PDF's text holds the phrase, wherever lines were wrapped (a table cell
    breaks "basah kena" into "basah" and "kena", which the extraction may glue)."""
    return "".join(phrase.split()) in "".join(text.split())


def pdf_page_size_mm(content: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(content)).pages[0].mediabox
    return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)


def workbook(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))
